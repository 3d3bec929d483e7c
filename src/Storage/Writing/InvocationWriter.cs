using Ingest.Storage.Checkpoint;
using Ingest.Storage.Migration;
using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// The only writer of the database. Owns one connection for its whole life; every batch is one
/// <c>BEGIN IMMEDIATE</c> transaction; statements are prepared once per day and reused. Not thread-safe:
/// it belongs to the flush loop, and maintenance runs on it between batches, never beside a write.
/// </summary>
/// <remarks>
/// The one facade the pipeline and maintenance call. The work is done by the parts it owns, all on its connection:
/// <see cref="PartitionSet"/> (which days exist, and their DDL), <see cref="DayStatements"/> (each day's prepared
/// writes), <see cref="EarlierDayRows"/> (taking back a task's row on an earlier day), <see cref="RollupNameCap"/>,
/// <see cref="QueueSampleWriter"/>, <see cref="LegacyStore"/> and the checkpoint's statements.
/// </remarks>
public sealed class InvocationWriter : IDisposable
{
    /// <summary>Worker groups a day's facet rollup keeps per process; further ones count under <see cref="OverflowTaskName"/> (a pattern that fails to group pods must not make a row per pod).</summary>
    public const int MaxWorkerGroupsPerDay = RollupNameCap.MaxWorkerGroupsPerDay;

    /// <summary>The rollup row that task names past <see cref="StorageOptions.MaxTaskNamesPerDay"/> are counted under.</summary>
    public const string OverflowTaskName = RollupNameCap.OverflowName;

    private readonly SqliteConnection _connection;
    private readonly RollupBatch _rollups = new();
    private readonly SearchBatch _search = new();
    private readonly CheckpointStatements? _checkpoint;
    private readonly PartitionSet _partitions;
    private readonly LegacyStore _legacy;
    private readonly DayStatements _statements;
    private readonly EarlierDayRows _earlierDays;
    private readonly RollupNameCap _names;
    private readonly QueueSampleWriter _queueSamples;
    private readonly TimeProvider _time;
    private readonly DetailStore _details;

    /// <summary>
    /// Opens the writer. Everything here reads metadata only (sqlite_master, header pragmas, one index probe),
    /// so opening costs the same on a 26 GB file as on an empty one: no COUNT(*), no index build, no
    /// integrity check, no VACUUM.
    /// </summary>
    /// <param name="options">The file and how it is opened.</param>
    /// <param name="time">The clock.</param>
    /// <param name="compression">
    /// The details' per-day dictionaries, shared with the producer that prepares the records (issue 29); null: details
    /// are stored as text.
    /// </param>
    public InvocationWriter(StorageOptions options, TimeProvider? time = null, Details.DetailCompression? compression = null)
    {
        time ??= TimeProvider.System;
        _time = time;
        Options = options;
        var groups = new WorkerGroups(options.WorkerGroupPattern);
        Groups = groups;
        _connection = SqliteConnections.OpenWriter(options);
        try
        {
            _connection.CreateFunction<byte[]?, byte[]?, byte[]>(RollupStatements.MergeFunction, RuntimeHistogram.Merge, isDeterministic: true);
            Migration = LegacyMigration.Run(_connection, time);
            MetaTable.Ensure(_connection);
            _checkpoint = new CheckpointStatements(_connection);
            _partitions = new PartitionSet(_connection, options.SearchIndex, time);
            _partitions.DropSearchTriggers();
            _partitions.AddSampledColumns();
            _legacy = new LegacyStore(_connection, time);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }

        Compression = compression;
        _details = new DetailStore(_connection, compression);
        _statements = new DayStatements(_connection, _partitions, groups, _details);
        _earlierDays = new EarlierDayRows(_connection, _partitions, groups);
        _names = new RollupNameCap(_connection, options.MaxTaskNamesPerDay);
        _queueSamples = new QueueSampleWriter(_connection, _partitions);
    }

    public StorageOptions Options { get; }

    /// <summary>The details' dictionaries this writer stores, if any: prepare records with it (<see cref="PreparedWrite.Of"/>).</summary>
    public Details.DetailCompression? Compression { get; }

    /// <summary>The worker grouping this writer's rollups use: prepare records with it (<see cref="PreparedWrite.Of"/>).</summary>
    public WorkerGroups Groups { get; }

    /// <summary>What opening did about a pre-partition database.</summary>
    public LegacyMigrationOutcome Migration { get; }

    /// <summary>Whether the legacy (pre-partition) tables exist.</summary>
    public bool LegacyPresent => _legacy.Present;

    /// <summary>Newest time in the legacy table (Unix seconds), read once at open: legacy never changes.</summary>
    public double? LegacyNewest => _legacy.Newest;

    /// <summary>True while legacy rows remain outside the legacy search index.</summary>
    public bool LegacySearchPending => _legacy.SearchPending;

    /// <summary>
    /// The newest day whose details (and search index) detail retention dropped; that day and every older one keep
    /// rows and rollups only, and a late record for one of them is stored without its details. Null: none dropped.
    /// </summary>
    public DateOnly? DetailsDroppedThrough => _partitions.DetailsDroppedThrough;

    /// <summary>How long the minute rollup is kept: a record older than this when written counts in the hourly rollups only.</summary>
    public static readonly TimeSpan MinuteRetention = TimeSpan.FromHours(48);

    /// <summary>The days that have a minute rollup table, oldest first.</summary>
    public IReadOnlyCollection<DateOnly> MinuteDays => _partitions.MinuteDays;

    /// <summary>The day partitions known to exist, oldest first (kept in step with creates and drops).</summary>
    public IReadOnlyCollection<DayPartition> Days => _partitions.Days;

    internal SqliteConnection Connection => _connection;

    /// <summary>How long the last new day's tables took to create; the next one costs about as much, or a little more.</summary>
    public TimeSpan NewDayCost => _partitions.LastCreateDuration;

    /// <summary>Where a record of <paramref name="day"/> would be written under <paramref name="window"/>: its existing day, a new one, or nowhere.</summary>
    public DayPlacement Place(DateOnly day, PartitionWindow window) => window.Place(day, _partitions.Days);

    /// <summary>Records, for the next start, how many records the shutdown drain could not write (0 after a clean one).</summary>
    public void RecordShutdownDrops(long count) =>
        MetaTable.Set(_connection, MetaTable.ShutdownDropped, count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>What the last shutdown recorded with <see cref="RecordShutdownDrops"/>; null if nothing was recorded.</summary>
    public long? ReadShutdownDrops() =>
        long.TryParse(MetaTable.Get(_connection, MetaTable.ShutdownDropped), System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : null;

    /// <summary>Rollup rows counted under <see cref="OverflowTaskName"/> because their day already had the maximum of task names.</summary>
    public long RollupNamesOverflowed => _names.Overflowed;

    /// <summary>
    /// Writes a batch, and the in-flight checkpoint's changes if given, in one transaction; all or nothing. Returns
    /// the number of records written.
    /// </summary>
    public int WriteBatch(IReadOnlyList<InvocationRecord> batch, CheckpointDelta? checkpoint = null)
    {
        var prepared = new PreparedWrite[batch.Count];
        for (var i = 0; i < prepared.Length; i++)
        {
            // Not compressed: this runs on the writer's thread, and compression belongs to the producer (issue 29).
            prepared[i] = PreparedWrite.Of(batch[i], Groups);
        }

        return WriteBatch(prepared, checkpoint);
    }

    /// <summary>
    /// Writes a batch of records prepared by the producer (issue 29: the flush thread only binds and steps), and the
    /// in-flight checkpoint's changes if given, in one transaction; all or nothing. Returns the number written.
    /// </summary>
    public int WriteBatch(IReadOnlyList<PreparedWrite> batch, CheckpointDelta? checkpoint = null)
    {
        if (batch.Count == 0 && checkpoint is not { IsEmpty: false })
        {
            return 0;
        }

        _partitions.BeginBatch();
        _rollups.MinutesFrom = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 - MinuteRetention.TotalSeconds;
        try
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            PartitionStatements? current = null;
            foreach (var prepared in batch)
            {
                var day = prepared.Day;
                if (current is null || current.Partition != day)
                {
                    current = _statements.Rows(day, transaction);
                }

                if (current.Write(prepared, transaction, _rollups, _search))
                {
                    _earlierDays.TakeBack(prepared.Record, day, transaction, _rollups);
                }
            }

            WriteRollups(transaction);
            WriteMinutes(transaction);
            WriteSearch(transaction);
            if (checkpoint is not null)
            {
                _checkpoint!.Write(checkpoint, transaction);
            }

            transaction.Commit();
            _details.Committed();
            return batch.Count;
        }
        catch
        {
            _details.RolledBack();
            _names.ForgetTaskNames(); // names added by the rolled-back batch; reloaded from the tables on next use

            // The rollback took back any table this batch created (a facet table too); forget them and their statements.
            foreach (var day in _partitions.RollBackBatch())
            {
                ForgetStatements(day);
            }

            throw;
        }
        finally
        {
            _rollups.Clear();
            _search.Clear();
        }
    }

    /// <summary>
    /// Writes broker queue samples in one transaction of their own (a few rows every sampling interval), into the
    /// day of each sample's time; the day's tables are created if missing. A sample for a queue and second
    /// already stored replaces it. Returns the number written.
    /// </summary>
    public int WriteQueueSamples(IReadOnlyList<QueueSample> samples) => _queueSamples.Write(samples);

    /// <summary>Writes control audit entries (issue 27) into their days' audit tables, in a short transaction of their own.</summary>
    public int WriteAudit(IReadOnlyList<Audit.AuditEntry> entries) => new Audit.AuditWriter(_connection, _partitions).Write(entries);

    /// <summary>Upserts worker states (issue 25) into their days' worker tables, in a short transaction of their own.</summary>
    public int WriteWorkers(IReadOnlyList<Workers.WorkerStateRow> rows) => Workers.WorkerStateStatements.Write(_connection, _partitions, rows);

    /// <summary>The workers of the newest two days with a worker table, latest state each, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<Workers.WorkerStateRow> ReadWorkers(int max) => Workers.WorkerStateStatements.Read(_connection, _partitions.Days.Reverse(), max);

    /// <summary>Creates a day's tables if missing (instant: they are empty). Returns true if it created them.</summary>
    public bool EnsurePartition(DayPartition day) => _partitions.Ensure(day);

    /// <summary>Drops a whole day with DROP TABLE (never a row-by-row DELETE). Returns false if it did not exist.</summary>
    public bool DropPartition(DayPartition day)
    {
        // A prepared statement that reads a table keeps DROP TABLE from running; let them go first.
        ForgetStatements(day);
        _names.ForgetTaskNames(day.Day);
        _details.Forget(day.Day);
        return _partitions.Drop(day);
    }

    /// <summary>
    /// Drops a day's details and search index whole (DROP TABLE, never DELETE or UPDATE), leaving its rows and
    /// rollups, and records that days up to it have no details. Bounded like a day's drop, and cheaper.
    /// </summary>
    public void DropDetails(DayPartition day)
    {
        ForgetStatements(day);
        _details.Forget(day.Day);
        _partitions.DropDetails(day);
    }

    /// <summary>
    /// Drops a day's minute rollup whole (DROP TABLE, never DELETE), keeping its rows and hourly rollups: what
    /// retention does once the day is older than <see cref="MinuteRetention"/>. Returns false if it had none.
    /// </summary>
    public bool DropMinutes(DateOnly day)
    {
        ForgetStatements(new DayPartition(day));
        return _partitions.DropMinutes(day);
    }

    /// <summary>Drops the legacy tables whole (DROP TABLE, never DELETE).</summary>
    public void DropLegacy() => _legacy.Drop();

    /// <summary>
    /// Adds the next <paramref name="maxRows"/> legacy rows (by rowid) to the legacy search index, in one
    /// transaction, and records how far it got, so a restart resumes rather than starts over. Bounded work:
    /// the opening never indexes (a 26 GB history must not hold up the startup probe); maintenance calls
    /// this between batches. Returns the rows indexed.
    /// </summary>
    public int IndexLegacyChunk(int maxRows) => _legacy.IndexChunk(maxRows);

    /// <summary>The in-flight checkpoint, most recently updated first, at most <paramref name="max"/> rows.</summary>
    public IReadOnlyList<CheckpointRow> ReadCheckpoint(int max) => CheckpointStatements.Read(_connection, max);

    /// <summary>An integer header pragma (page_count, freelist_count, page_size, auto_vacuum): no row is read.</summary>
    public long Pragma(string name)
    {
        if (name is not ("page_count" or "freelist_count" or "page_size" or "auto_vacuum"))
        {
            throw new ArgumentOutOfRangeException(nameof(name), name, "not a header pragma");
        }

        return SqliteConnections.Scalar<long>(_connection, $"PRAGMA {name}");
    }

    /// <summary>Runs one maintenance statement on the writer connection, between batches.</summary>
    internal void Execute(string sql) => SqliteConnections.Execute(_connection, sql);

    public void Dispose()
    {
        _checkpoint?.Dispose();
        _statements.Dispose();
        _earlierDays.Dispose();
        _queueSamples.Dispose();
        _connection.Dispose();
    }

    private void WriteRollups(SqliteTransaction transaction)
    {
        foreach (var ((day, name, hour), delta) in _rollups.Tasks)
        {
            _statements.Rollups(day).Write(_names.TaskName(day, name), hour, delta, transaction);
        }

        foreach (var ((day, name, exceptionType, hour), delta) in _rollups.Failures)
        {
            _statements.Rollups(day).Write(_names.TaskName(day, name), exceptionType, hour, delta, transaction);
        }

        foreach (var ((day, name, queue, group, hour), delta) in _rollups.Groups)
        {
            _partitions.EnsureFacetTables(day, transaction);
            _statements.Rollups(day).Write(_names.TaskName(day, name, count: false), queue, _names.GroupName(day, group), hour, delta, transaction);
        }

        foreach (var ((day, name, exceptionType, queue, group, hour), delta) in _rollups.FailureGroups)
        {
            _partitions.EnsureFacetTables(day, transaction);
            _statements.Rollups(day).Write(_names.TaskName(day, name, count: false), exceptionType, queue, _names.GroupName(day, group), hour, delta, transaction);
        }
    }

    /// <summary>The minute rollup's rows, beside the hourly ones and under the same name caps.</summary>
    private void WriteMinutes(SqliteTransaction transaction)
    {
        foreach (var ((day, name, queue, group, minute), delta) in _rollups.Minutes)
        {
            _partitions.EnsureMinuteTable(day, transaction);
            _statements.Rollups(day).WriteMinute(_names.TaskName(day, name, count: false), queue, _names.GroupName(day, group), minute, delta, transaction);
        }
    }

    private void WriteSearch(SqliteTransaction transaction)
    {
        foreach (var (day, entries) in _search.Days)
        {
            _statements.Search(day)?.Write(entries, transaction);
        }
    }

    /// <summary>Disposes every statement prepared for a day (before it is dropped, or after its creation was rolled back).</summary>
    private void ForgetStatements(DayPartition day)
    {
        _statements.Forget(day.Day);
        _earlierDays.Forget(day.Day);
        _queueSamples.Forget(day.Day);
    }
}
