using System.Globalization;
using Ingest.Storage.Migration;
using Ingest.Storage.Partitions;
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

    /// <summary>
    /// Opens the writer. Everything here reads metadata only (sqlite_master, header pragmas, one index probe),
    /// so opening costs the same on a 26 GB file as on an empty one: no COUNT(*), no index build, no
    /// integrity check, no VACUUM.
    /// </summary>
    public InvocationWriter(StorageOptions options, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _connection = SqliteConnections.OpenWriter(options);
        try
        {
            Migration = LegacyMigration.Run(_connection, _time);
            MetaTable.Ensure(_connection);
            _days = new SortedSet<DayPartition>(PartitionCatalog.ListDays(_connection));
            LegacyPresent = PartitionCatalog.HasLegacy(_connection);
            LegacyNewest = LegacyPresent ? ReadLegacyNewest() : null;
        }
        catch
        {
            _connection.Dispose();
            throw;
        }

        Options = options;
    }

    public StorageOptions Options { get; }

    /// <summary>What opening did about a pre-partition database.</summary>
    public LegacyMigrationOutcome Migration { get; }

    public bool LegacyPresent { get; private set; }

    /// <summary>Newest time in the legacy table (Unix seconds), read once at open: legacy never changes.</summary>
    public double? LegacyNewest { get; private set; }

    /// <summary>The day partitions known to exist, oldest first (kept in step with creates and drops).</summary>
    public IReadOnlyCollection<DayPartition> Days => _days;

    internal SqliteConnection Connection => _connection;

    /// <summary>Writes a batch in one transaction; all or nothing. Returns the number of records written.</summary>
    public int WriteBatch(IReadOnlyList<InvocationRecord> batch)
    {
        if (batch.Count == 0)
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

                current.Write(record, transaction);
            }

            transaction.Commit();
            return batch.Count;
        }
        catch
        {
            // The rollback took back any table this batch created; forget them too.
            foreach (var day in _createdInBatch)
            {
                _days.Remove(day);
                if (_statements.Remove(day.Day, out var statements))
                {
                    statements.Dispose();
                }
            }

            throw;
        }
    }

    /// <summary>Creates a day's tables if missing (instant: they are empty). Returns true if it created them.</summary>
    public bool EnsurePartition(DayPartition day)
    {
        if (_days.Contains(day))
        {
            return false;
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(day), transaction);
        transaction.Commit();
        _days.Add(day);
        return true;
    }

    /// <summary>Drops a whole day with DROP TABLE (never a row-by-row DELETE). Returns false if it did not exist.</summary>
    public bool DropPartition(DayPartition day)
    {
        if (_statements.Remove(day.Day, out var statements))
        {
            // A prepared statement that reads a table keeps DROP TABLE from running; let them go first.
            statements.Dispose();
        }

        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, PartitionSchema.DropSql(day), transaction);
        transaction.Commit();
        return _days.Remove(day);
    }

    /// <summary>Drops the legacy tables whole (DROP TABLE, never DELETE).</summary>
    public void DropLegacy()
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(_connection, $"""
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacyDetails)};
            DROP TABLE IF EXISTS {DayPartition.Delimit(PartitionCatalog.LegacyInvocations)};
            """, transaction);
        transaction.Commit();
        LegacyPresent = false;
        LegacyNewest = null;
    }

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
        foreach (var statements in _statements.Values)
        {
            statements.Dispose();
        }

        _statements.Clear();
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
            SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(day), transaction);
            _days.Add(day);
            _createdInBatch.Add(day);
        }

        if (_statements.Count >= StatementCacheDays)
        {
            var oldest = _statements.Keys.Min();
            _statements.Remove(oldest, out var evicted);
            evicted!.Dispose();
        }

        statements = new PartitionStatements(_connection, day);
        _statements.Add(day.Day, statements);
        return statements;
    }
}
