using System.Globalization;
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
public sealed class InvocationWriter : IDisposable
{
    /// <summary>Days whose statements are kept prepared; a batch rarely spans more than today and yesterday.</summary>
    private const int StatementCacheDays = 4;

    private readonly SqliteConnection _connection;
    private readonly Dictionary<DateOnly, PartitionStatements> _statements = [];
    private readonly SortedSet<DayPartition> _days;
    private readonly List<DayPartition> _createdInBatch = [];
    private readonly TimeProvider _time;
    private readonly RollupBatch _rollups = new();
    private readonly Dictionary<DateOnly, RollupStatements> _rollupStatements = [];
    private readonly Dictionary<DateOnly, SqliteCommand> _probes = [];
    private readonly Dictionary<DateOnly, HashSet<string>> _rollupNames = [];
    private readonly SearchBatch _search = new();
    private readonly WorkerGroups _groups;
    private readonly HashSet<DateOnly> _groupTables = [];
    private readonly Dictionary<DateOnly, HashSet<string>> _groupNames = [];
    private readonly Dictionary<DateOnly, SqliteCommand> _queueSampleInserts = [];

    /// <summary>Worker groups a day's facet rollup keeps per process; further ones count under <see cref="OverflowTaskName"/> (a pattern that fails to group pods must not make a row per pod).</summary>
    public const int MaxWorkerGroupsPerDay = 1000;
    private readonly Checkpoint.CheckpointStatements? _checkpoint;
    private readonly Dictionary<DateOnly, SearchStatements?> _searchStatements = [];

    /// <summary>The rollup row that task names past <see cref="StorageOptions.MaxTaskNamesPerDay"/> are counted under.</summary>
    public const string OverflowTaskName = "(other)";

    /// <summary>
    /// Opens the writer. Everything here reads metadata only (sqlite_master, header pragmas, one index probe),
    /// so opening costs the same on a 26 GB file as on an empty one: no COUNT(*), no index build, no
    /// integrity check, no VACUUM.
    /// </summary>
    public InvocationWriter(StorageOptions options, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Options = options;
        _groups = new WorkerGroups(options.WorkerGroupPattern);
        _connection = SqliteConnections.OpenWriter(options);
        try
        {
            _connection.CreateFunction<byte[]?, byte[]?, byte[]>(RollupStatements.MergeFunction, RuntimeHistogram.Merge, isDeterministic: true);
            Migration = LegacyMigration.Run(_connection, _time);
            MetaTable.Ensure(_connection);
            _checkpoint = new Checkpoint.CheckpointStatements(_connection);
            _days = new SortedSet<DayPartition>(PartitionCatalog.ListDays(_connection));
            DropSearchTriggers();
            LegacyPresent = PartitionCatalog.HasLegacy(_connection);
            LegacyNewest = LegacyPresent ? ReadLegacyNewest() : null;
            LegacySearchPending = LegacyPresent && MetaTable.Get(_connection, MetaTable.LegacySearchDone) is null;
            DetailsDroppedThrough = DateOnly.TryParseExact(MetaTable.Get(_connection, MetaTable.DetailsDroppedThrough), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var through)
                ? through : null;
        }
        catch
        {
            _connection.Dispose();
            throw;
        }

    }

    public StorageOptions Options { get; }

    /// <summary>What opening did about a pre-partition database.</summary>
    public LegacyMigrationOutcome Migration { get; }

    public bool LegacyPresent { get; private set; }

    /// <summary>Newest time in the legacy table (Unix seconds), read once at open: legacy never changes.</summary>
    public double? LegacyNewest { get; private set; }

    /// <summary>
    /// The newest day whose details (and search index) detail retention dropped; that day and every older one keep
    /// rows and rollups only, and a late record for one of them is stored without its details. Null: none dropped.
    /// </summary>
    public DateOnly? DetailsDroppedThrough { get; private set; }

    /// <summary>The day partitions known to exist, oldest first (kept in step with creates and drops).</summary>
    public IReadOnlyCollection<DayPartition> Days => _days;

    internal SqliteConnection Connection => _connection;

    /// <summary>Rollup rows counted under <see cref="OverflowTaskName"/> because their day already had the maximum of task names.</summary>
    public long RollupNamesOverflowed { get; private set; }

    /// <summary>
    /// Writes a batch, and the in-flight checkpoint's changes if given, in one transaction; all or nothing. Returns
    /// the number of records written.
    /// </summary>
    public int WriteBatch(IReadOnlyList<InvocationRecord> batch, Checkpoint.CheckpointDelta? checkpoint = null)
    {
        if (batch.Count == 0 && checkpoint is not { IsEmpty: false })
        {
            return 0;
        }

        _createdInBatch.Clear();
        try
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            PartitionStatements? current = null;
            foreach (var record in batch)
            {
                var day = DayPartition.FromUnixSeconds(record.PartitionTime);
                if (current is null || current.Partition != day)
                {
                    current = StatementsFor(day, transaction);
                }

                if (current.Write(record, transaction, _rollups, _search))
                {
                    TakeBackEarlierDay(record, day, transaction);
                }
            }

            WriteRollups(transaction);
            WriteSearch(transaction);
            if (checkpoint is not null)
            {
                _checkpoint!.Write(checkpoint, transaction);
            }

            transaction.Commit();
            return batch.Count;
        }
        catch
        {
            _rollupNames.Clear(); // names added by the rolled-back batch; reloaded from the tables on next use
            _groupTables.Clear(); // a facet table created in the batch went with it

            // The rollback took back any table this batch created; forget them too.
            foreach (var day in _createdInBatch)
            {
                _days.Remove(day);
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
    public int WriteQueueSamples(IReadOnlyList<QueueSample> samples)
    {
        if (samples.Count == 0)
        {
            return 0;
        }

        foreach (var sample in samples)
        {
            EnsurePartition(DayPartition.FromUnixSeconds(sample.At));
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var sample in samples)
        {
            var insert = QueueSampleInsertFor(DayPartition.FromUnixSeconds(sample.At), transaction);
            insert.Transaction = transaction;
            insert.Parameters[0].Value = sample.Queue;
            insert.Parameters[1].Value = sample.At;
            insert.Parameters[2].Value = sample.Length;
            insert.Parameters[3].Value = sample.Consumers is { } consumers ? consumers : DBNull.Value;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return samples.Count;
    }

    private SqliteCommand QueueSampleInsertFor(DayPartition day, SqliteTransaction transaction)
    {
        if (_queueSampleInserts.TryGetValue(day.Day, out var insert))
        {
            return insert;
        }

        // The table comes with its first sample (instant: it is empty); a day made before it existed gets it here.
        SqliteConnections.Execute(_connection, PartitionSchema.QueueLengthsSql(day), transaction);
        MakeRoom(_queueSampleInserts, StatementCacheDays);
        insert = _connection.CreateCommand();
        insert.CommandText = $"INSERT OR REPLACE INTO {day.QueueLengthsSql} (queue, at, length, consumers) VALUES ($queue, $at, $length, $consumers)";
        foreach (var name in (ReadOnlySpan<string>)["$queue", "$at", "$length", "$consumers"])
        {
            insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        _queueSampleInserts.Add(day.Day, insert);
        return insert;
    }

    /// <summary>
    /// A task that began on an earlier day may already have a row there (written early: a retry, or a tracker
    /// that let it go at its cap or idle limit). Reads show only the newest day's row, so the rollups must
    /// count only that one: the newest earlier row is taken back. Primary-key probes, and only for records
    /// whose first event falls on an earlier day than their partition.
    /// </summary>
    private void TakeBackEarlierDay(InvocationRecord record, DayPartition day, SqliteTransaction transaction)
    {
        var earliest = Min(record.SentAt, record.ReceivedAt, record.StartedAt);
        if (earliest is null || DayPartition.FromUnixSeconds(earliest.Value) >= day)
        {
            return;
        }

        var first = DayPartition.FromUnixSeconds(earliest.Value);
        foreach (var earlier in _days.GetViewBetween(first, day).Reverse())
        {
            if (earlier == day)
            {
                continue;
            }

            var probe = ProbeFor(earlier);
            probe.Parameters[0].Value = record.TaskId;
            probe.Transaction = transaction;
            using var reader = probe.ExecuteReader();
            if (reader.Read())
            {
                _rollups.Add(earlier, StoredRow.ReadContribution(reader, 0, _groups), -1);
                return;
            }
        }
    }

    private static double? Min(double? a, double? b, double? c)
    {
        double? min = null;
        foreach (var v in (ReadOnlySpan<double?>)[a, b, c])
        {
            if (v is { } x && (min is null || x < min))
            {
                min = x;
            }
        }

        return min;
    }

    private SqliteCommand ProbeFor(DayPartition day)
    {
        if (_probes.TryGetValue(day.Day, out var probe))
        {
            return probe;
        }

        MakeRoom(_probes, StatementCacheDays * 2);
        probe = _connection.CreateCommand();
        probe.CommandText = $"SELECT {StoredRow.Columns} FROM {day.InvocationsSql} WHERE task_id = $task_id";
        probe.Parameters.Add(new SqliteParameter("$task_id", DBNull.Value));
        _probes.Add(day.Day, probe);
        return probe;
    }

    private void WriteRollups(SqliteTransaction transaction)
    {
        foreach (var ((day, name, hour), delta) in _rollups.Tasks)
        {
            RollupStatementsFor(day).Write(RollupName(day, name), hour, delta, transaction);
        }

        foreach (var ((day, name, exceptionType, hour), delta) in _rollups.Failures)
        {
            RollupStatementsFor(day).Write(RollupName(day, name), exceptionType, hour, delta, transaction);
        }

        foreach (var ((day, name, queue, group, hour), delta) in _rollups.Groups)
        {
            EnsureFacetTables(day, transaction);
            RollupStatementsFor(day).Write(RollupName(day, name, count: false), queue, GroupName(day, group), hour, delta, transaction);
        }

        foreach (var ((day, name, exceptionType, queue, group, hour), delta) in _rollups.FailureGroups)
        {
            EnsureFacetTables(day, transaction);
            RollupStatementsFor(day).Write(RollupName(day, name, count: false), exceptionType, queue, GroupName(day, group), hour, delta, transaction);
        }
    }

    /// <summary>A day made by a version before the facet rollups gets their (empty) tables, once per process.</summary>
    private void EnsureFacetTables(DateOnly day, SqliteTransaction transaction)
    {
        if (_groupTables.Add(day))
        {
            SqliteConnections.Execute(_connection, PartitionSchema.GroupRollupSql(new DayPartition(day)), transaction);
        }
    }

    private string GroupName(DateOnly day, string group)
    {
        if (!_groupNames.TryGetValue(day, out var names))
        {
            if (_groupNames.Count >= StatementCacheDays)
            {
                _groupNames.Remove(_groupNames.Keys.Min());
            }

            names = new HashSet<string>(StringComparer.Ordinal);
            _groupNames.Add(day, names);
        }

        if (names.Contains(group) || (names.Count < MaxWorkerGroupsPerDay && names.Add(group)))
        {
            return group;
        }

        RollupNamesOverflowed++;
        return OverflowTaskName;
    }

    private void WriteSearch(SqliteTransaction transaction)
    {
        foreach (var (day, entries) in _search.Days)
        {
            SearchStatementsFor(day)?.Write(entries, transaction);
        }
    }

    /// <summary>A day's index statements, or null for a day written with the index off (it has no index table).</summary>
    private SearchStatements? SearchStatementsFor(DateOnly day)
    {
        if (_searchStatements.TryGetValue(day, out var statements))
        {
            return statements;
        }

        MakeRoom(_searchStatements, StatementCacheDays);

        var partition = new DayPartition(day);
        statements = PartitionCatalog.TableExists(_connection, partition.SearchTable) ? new SearchStatements(_connection, partition) : null;
        _searchStatements.Add(day, statements);
        return statements;
    }

    /// <summary>
    /// Files written by earlier versions indexed by trigger; the writer indexes each batch itself now, so those
    /// triggers go (metadata only, one sqlite_master read, and nothing to do on a file that never had them).
    /// </summary>
    private void DropSearchTriggers()
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

    /// <summary>
    /// The name a rollup row is kept under: the task's own, until its day holds <see cref="StorageOptions.MaxTaskNamesPerDay"/>
    /// names (a client inventing a name per call would otherwise grow the table without bound).
    /// </summary>
    private string RollupName(DateOnly day, string name, bool count = true)
    {
        if (!_rollupNames.TryGetValue(day, out var names))
        {
            names = new HashSet<string>(StringComparer.Ordinal);
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT DISTINCT name FROM {new DayPartition(day).TaskHoursSql}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            if (_rollupNames.Count >= StatementCacheDays)
            {
                _rollupNames.Remove(_rollupNames.Keys.Min());
            }

            _rollupNames.Add(day, names);
        }

        if (names.Contains(name))
        {
            return name;
        }

        if (names.Count < Options.MaxTaskNamesPerDay)
        {
            names.Add(name);
            return name;
        }

        if (count)
        {
            RollupNamesOverflowed++;
        }

        names.Add(OverflowTaskName);
        return OverflowTaskName;
    }

    /// <summary>Keeps a per-day statement cache under its cap by disposing the oldest day's entry.</summary>
    private static void MakeRoom<T>(Dictionary<DateOnly, T> cache, int cap)
        where T : IDisposable?
    {
        if (cache.Count >= cap && cache.Remove(cache.Keys.Min(), out var evicted))
        {
            evicted?.Dispose();
        }
    }

    /// <summary>Disposes every statement prepared for a day (before it is dropped, or after its creation was rolled back).</summary>
    private void ForgetStatements(DayPartition day)
    {
        Forget(_statements);
        Forget(_rollupStatements);
        Forget(_probes);
        Forget(_searchStatements);
        Forget(_queueSampleInserts);

        void Forget<T>(Dictionary<DateOnly, T> cache)
            where T : IDisposable?
        {
            if (cache.Remove(day.Day, out var statements))
            {
                statements?.Dispose();
            }
        }
    }

    private RollupStatements RollupStatementsFor(DateOnly day)
    {
        if (_rollupStatements.TryGetValue(day, out var statements))
        {
            return statements;
        }

        MakeRoom(_rollupStatements, StatementCacheDays);
        statements = new RollupStatements(_connection, new DayPartition(day));
        _rollupStatements.Add(day, statements);
        return statements;
    }

    /// <summary>Creates a day's tables if missing (instant: they are empty). Returns true if it created them.</summary>
    public bool EnsurePartition(DayPartition day)
    {
        if (_days.Contains(day))
        {
            return false;
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(day, Options.SearchIndex), transaction);
        transaction.Commit();
        _days.Add(day);
        return true;
    }

    /// <summary>Drops a whole day with DROP TABLE (never a row-by-row DELETE). Returns false if it did not exist.</summary>
    public bool DropPartition(DayPartition day)
    {
        // A prepared statement that reads a table keeps DROP TABLE from running; let them go first.
        ForgetStatements(day);
        _rollupNames.Remove(day.Day);

        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.DropSql(day), transaction);
        transaction.Commit();
        return _days.Remove(day);
    }

    /// <summary>
    /// Drops a day's details and search index whole (DROP TABLE, never DELETE or UPDATE), leaving its rows and
    /// rollups, and records that days up to it have no details. Bounded like a day's drop, and cheaper.
    /// </summary>
    public void DropDetails(DayPartition day)
    {
        ForgetStatements(day);
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.DropDetailsSql(day), transaction);
        var through = DetailsDroppedThrough is { } t && t > day.Day ? t : day.Day;
        MetaTable.Set(_connection, MetaTable.DetailsDroppedThrough, through.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), transaction);
        transaction.Commit();
        DetailsDroppedThrough = through;
    }

    /// <summary>Drops the legacy tables whole (DROP TABLE, never DELETE).</summary>
    public void DropLegacy()
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, $"""
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacySearch)};
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacyDetails)};
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacyInvocations)};
            """, transaction);
        MetaTable.Set(_connection, MetaTable.LegacySearchDone, "dropped", transaction);
        transaction.Commit();
        LegacyPresent = false;
        LegacyNewest = null;
        LegacySearchPending = false;
    }

    /// <summary>True while legacy rows remain outside the legacy search index.</summary>
    public bool LegacySearchPending { get; private set; }

    /// <summary>
    /// Adds the next <paramref name="maxRows"/> legacy rows (by rowid) to the legacy search index, in one
    /// transaction, and records how far it got, so a restart resumes rather than starts over. Bounded work:
    /// the opening never indexes (a 26 GB history must not hold up the startup probe); maintenance calls
    /// this between batches. Returns the rows indexed.
    /// </summary>
    public int IndexLegacyChunk(int maxRows)
    {
        if (!LegacySearchPending)
        {
            return 0;
        }

        var legacy = DayPartition.Delimit(PartitionCatalog.LegacyInvocations);
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, $"CREATE VIRTUAL TABLE IF NOT EXISTS {DayPartition.Delimit(PartitionCatalog.LegacySearch)} USING fts5 (args, kwargs, result, content = '')", transaction);
        var from = long.TryParse(MetaTable.Get(_connection, MetaTable.LegacySearchIndexed), NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) ? at : 0;
        long? last;
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT MAX(rowid) FROM (SELECT rowid FROM {legacy} WHERE rowid > $from ORDER BY rowid LIMIT $n)";
            command.Parameters.AddWithValue("$from", from);
            command.Parameters.AddWithValue("$n", maxRows);
            last = command.ExecuteScalar() is long l ? l : null;
        }

        var schema = Reading.LegacySchema.Read(_connection);
        var indexed = 0;
        if (last is not null && schema is { DetailsPresent: true })
        {
            string Det(string column) => schema.HasDetail(column) ? "d." + column : "NULL";
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                INSERT INTO {DayPartition.Delimit(PartitionCatalog.LegacySearch)} (rowid, args, kwargs, result)
                SELECT i.rowid, {Det("args_preview")}, {Det("kwargs_preview")}, {Det("result_preview")}
                FROM {legacy} AS i JOIN {DayPartition.Delimit(PartitionCatalog.LegacyDetails)} AS d ON d.task_id = i.task_id
                WHERE i.rowid > $from AND i.rowid <= $last
                """;
            command.Parameters.AddWithValue("$from", from);
            command.Parameters.AddWithValue("$last", last.Value);
            indexed = command.ExecuteNonQuery();
        }

        if (last is null || schema is not { DetailsPresent: true })
        {
            MetaTable.Set(_connection, MetaTable.LegacySearchDone, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), transaction);
            LegacySearchPending = false;
        }
        else
        {
            MetaTable.Set(_connection, MetaTable.LegacySearchIndexed, last.Value.ToString(CultureInfo.InvariantCulture), transaction);
        }

        transaction.Commit();
        return indexed;
    }

    /// <summary>An integer header pragma (page_count, freelist_count, page_size, auto_vacuum): no row is read.</summary>
    /// <summary>The in-flight checkpoint, most recently updated first, at most <paramref name="max"/> rows.</summary>
    public IReadOnlyList<Checkpoint.CheckpointRow> ReadCheckpoint(int max) => Checkpoint.CheckpointStatements.Read(_connection, max);

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
        foreach (var statements in _statements.Values)
        {
            statements.Dispose();
        }

        _statements.Clear();
        foreach (var rollups in _rollupStatements.Values)
        {
            rollups.Dispose();
        }

        foreach (var probe in _probes.Values.Concat(_queueSampleInserts.Values))
        {
            probe.Dispose();
        }

        foreach (var search in _searchStatements.Values)
        {
            search?.Dispose();
        }

        _connection.Dispose();
    }

    /// <summary>
    /// MAX(finished_at) when an index leads with finished_at (Phlower's idx_inv_finished): one probe. Without
    /// such an index MAX would scan the table, so the migration time stands in (every legacy row predates it).
    /// </summary>
    private double? ReadLegacyNewest()
    {
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT 1 FROM pragma_index_list('{PartitionCatalog.LegacyInvocations}') AS l
                JOIN pragma_index_info(l.name) AS i ON i.seqno = 0 AND i.name = 'finished_at'
                """;
            if (command.ExecuteScalar() is not null)
            {
                command.CommandText = $"SELECT MAX(finished_at) FROM {DayPartition.Delimit(PartitionCatalog.LegacyInvocations)}";
                return command.ExecuteScalar() is double newest ? newest : null;
            }
        }

        if (MetaTable.Get(_connection, MetaTable.LegacyMigratedAt) is { } at
            && double.TryParse(at, NumberStyles.Float, CultureInfo.InvariantCulture, out var migrated))
        {
            return migrated;
        }

        // Legacy tables Ingest did not rename itself: count retention from the first time it saw them,
        // rather than guess "empty" and drop someone's history.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        MetaTable.Set(_connection, MetaTable.LegacyMigratedAt, now.ToString(CultureInfo.InvariantCulture));
        return now;
    }

    private PartitionStatements StatementsFor(DayPartition day, SqliteTransaction transaction)
    {
        if (_statements.TryGetValue(day.Day, out var statements))
        {
            return statements;
        }

        if (!_days.Contains(day))
        {
            // A late event for a day with no table yet (or a replayed capture): create it inside this batch.
            SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(day, Options.SearchIndex), transaction);
            _days.Add(day);
            _createdInBatch.Add(day);
        }

        MakeRoom(_statements, StatementCacheDays);
        statements = new PartitionStatements(_connection, day, _groups, keepDetails: !(DetailsDroppedThrough >= day.Day));
        _statements.Add(day.Day, statements);
        return statements;
    }
}
