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

    public InvocationWriter(StorageOptions options)
    {
        _connection = SqliteConnections.OpenWriter(options);
        _days = new SortedSet<DayPartition>(PartitionCatalog.ListDays(_connection));
        Options = options;
    }

    public StorageOptions Options { get; }

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
