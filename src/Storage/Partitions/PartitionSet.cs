using System.Globalization;
using Ingest.Storage.Migration;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Partitions;

/// <summary>
/// The day partitions known to exist, kept in step with the DDL that creates and drops them on the writer's
/// connection. Every change is whole tables: a new day's are empty (instant), and a day goes with DROP TABLE,
/// never a row-by-row DELETE. Not thread-safe: it belongs to the writer.
/// </summary>
internal sealed class PartitionSet
{
    private readonly SqliteConnection _connection;
    private readonly bool _searchIndex;
    private readonly SortedSet<DayPartition> _days;
    private readonly List<DayPartition> _createdInBatch = [];
    private readonly HashSet<DateOnly> _facetTables = [];
    private readonly SortedSet<DateOnly> _minuteTables;
    private readonly List<DateOnly> _minutesCreatedInBatch = [];
    private readonly TimeProvider _time;

    /// <summary>Reads the days present and the details marker: metadata only (sqlite_master and one meta row).</summary>
    /// <param name="searchIndex">Whether a day made here gets its full-text index table.</param>
    /// <param name="time">Times each day's creation (<see cref="LastCreateDuration"/>).</param>
    public PartitionSet(SqliteConnection connection, bool searchIndex, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        _searchIndex = searchIndex;
        _days = new SortedSet<DayPartition>(PartitionCatalog.ListDays(connection));
        _minuteTables = new SortedSet<DateOnly>(PartitionCatalog.ListMinuteDays(connection));
        DetailsDroppedThrough = DateOnly.TryParseExact(MetaTable.Get(connection, MetaTable.DetailsDroppedThrough), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var through)
            ? through : null;
    }

    /// <summary>The day partitions known to exist, oldest first.</summary>
    public IReadOnlyCollection<DayPartition> Days => _days;

    /// <summary>
    /// The newest day whose details (and search index) detail retention dropped; that day and every older one keep
    /// rows and rollups only. Null: none dropped.
    /// </summary>
    public DateOnly? DetailsDroppedThrough { get; private set; }

    /// <summary>
    /// How long the last day's tables took to create. Each new day costs more than the last: SQLite reads its schema
    /// table whole on every CREATE (issue 24: 700 new days took 6.2 s, 45.2 s and 82.2 s with 0, 700 and 1,400 days
    /// already there), so the flush loop sizes the new days it lets into one batch by this.
    /// </summary>
    public TimeSpan LastCreateDuration { get; private set; }

    /// <summary>The days that have a minute rollup table, oldest first.</summary>
    public IReadOnlyCollection<DateOnly> MinuteDays => _minuteTables;

    /// <summary>Whether a record written to <paramref name="day"/> keeps its details (false past detail retention).</summary>
    public bool KeepsDetails(DayPartition day) => !(DetailsDroppedThrough >= day.Day);

    /// <summary>The days present from <paramref name="first"/> to <paramref name="last"/>, both included, newest first.</summary>
    public IEnumerable<DayPartition> NewestFirst(DayPartition first, DayPartition last) => _days.GetViewBetween(first, last).Reverse();

    /// <summary>Starts a write batch: no day is yet created inside it.</summary>
    public void BeginBatch()
    {
        _createdInBatch.Clear();
        _minutesCreatedInBatch.Clear();
    }

    /// <summary>
    /// Creates a day's tables inside the batch's transaction if they are missing (a late event for a day with no table
    /// yet, or a replayed capture), remembering it so that a rollback can forget it again.
    /// </summary>
    public void CreateInBatch(DayPartition day, SqliteTransaction transaction)
    {
        if (_days.Contains(day))
        {
            return;
        }

        var started = _time.GetTimestamp();
        SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(day, _searchIndex), transaction);
        LastCreateDuration = _time.GetElapsedTime(started);
        _days.Add(day);
        _createdInBatch.Add(day);
    }

    /// <summary>
    /// After a batch rolled back: the rollback took back any table the batch created, a facet table included, so
    /// they are forgotten too. Returns the days the batch had created, whose statements the caller must let go.
    /// </summary>
    public IReadOnlyList<DayPartition> RollBackBatch()
    {
        _facetTables.Clear();
        foreach (var day in _createdInBatch)
        {
            _days.Remove(day);
        }

        foreach (var day in _minutesCreatedInBatch)
        {
            _minuteTables.Remove(day);
        }

        return _createdInBatch;
    }

    /// <summary>A day made by a version before the facet rollups gets their (empty) tables, once per process.</summary>
    public void EnsureFacetTables(DateOnly day, SqliteTransaction transaction)
    {
        if (_facetTables.Add(day))
        {
            SqliteConnections.Execute(_connection, PartitionSchema.GroupRollupSql(new DayPartition(day)), transaction);
        }
    }

    /// <summary>
    /// A day's minute rollup table, created inside the batch on the day's first minute row (instant: it is empty),
    /// for a day made before it existed or whose minutes were not made ahead.
    /// </summary>
    public void EnsureMinuteTable(DateOnly day, SqliteTransaction transaction)
    {
        if (_minuteTables.Add(day))
        {
            SqliteConnections.Execute(_connection, PartitionSchema.MinuteRollupSql(new DayPartition(day)), transaction);
            _minutesCreatedInBatch.Add(day);
        }
    }

    /// <summary>
    /// Drops a day's minute rollup whole (DROP TABLE, never DELETE), keeping its rows and hourly rollups. Statements
    /// on the day go first, as for <see cref="Drop"/>. Returns false if it had none.
    /// </summary>
    public bool DropMinutes(DateOnly day)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.DropMinutesSql(new DayPartition(day)), transaction);
        transaction.Commit();
        return _minuteTables.Remove(day);
    }

    /// <summary>
    /// The queue-length table comes with a day's first sample (instant: it is empty); a day made before it existed
    /// gets it here.
    /// </summary>
    public void EnsureQueueLengthsTable(DayPartition day, SqliteTransaction transaction) =>
        SqliteConnections.Execute(_connection, PartitionSchema.QueueLengthsSql(day), transaction);

    /// <summary>Creates a day's tables if missing (instant: they are empty). Returns true if it created them.</summary>
    public bool Ensure(DayPartition day)
    {
        if (_days.Contains(day))
        {
            return false;
        }

        // Made ahead (today's and tomorrow's) with its minute rollup, so the first minutes of a day cost no DDL.
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(day, _searchIndex) + PartitionSchema.MinuteRollupSql(day), transaction);
        transaction.Commit();
        _days.Add(day);
        _minuteTables.Add(day.Day);
        return true;
    }

    /// <summary>
    /// Drops a whole day with DROP TABLE. Returns false if it did not exist. Every statement prepared on the day's
    /// tables must be disposed first: one that reads a table keeps DROP TABLE from running.
    /// </summary>
    public bool Drop(DayPartition day)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.DropSql(day), transaction);
        transaction.Commit();
        _minuteTables.Remove(day.Day);
        return _days.Remove(day);
    }

    /// <summary>
    /// Drops a day's details and search index whole (DROP TABLE, never DELETE or UPDATE), leaving its rows and
    /// rollups, and records that days up to it have no details. Statements on the day go first, as for <see cref="Drop"/>.
    /// </summary>
    public void DropDetails(DayPartition day)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.DropDetailsSql(day), transaction);
        var through = DetailsDroppedThrough is { } t && t > day.Day ? t : day.Day;
        MetaTable.Set(_connection, MetaTable.DetailsDroppedThrough, through.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), transaction);
        transaction.Commit();
        DetailsDroppedThrough = through;
    }

    /// <summary>
    /// Days made by a version before the detail sample get its flag column (ALTER TABLE ADD COLUMN: metadata only,
    /// no row is rewritten; one sqlite_master read and nothing to do on a file whose days all have it), so that every
    /// day's statements bind the same columns.
    /// </summary>
    public void AddSampledColumns()
    {
        var have = PartitionCatalog.SampledColumnTables(_connection);
        var missing = _days.Where(d => !have.Contains(d.InvocationsTable)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var day in missing)
        {
            SqliteConnections.Execute(_connection, PartitionSchema.AddSampledColumnSql(day), transaction);
        }

        transaction.Commit();
    }

    /// <summary>
    /// Files written by earlier versions indexed by trigger; the writer indexes each batch itself now, so those
    /// triggers go (metadata only, one sqlite_master read, and nothing to do on a file that never had them).
    /// </summary>
    public void DropSearchTriggers()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'invocation\\_details\\_%\\_search\\_%' ESCAPE '\\'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return;
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var day in _days)
        {
            SqliteConnections.Execute(_connection, PartitionSchema.DropSearchTriggersSql(day), transaction);
        }

        transaction.Commit();
    }
}
