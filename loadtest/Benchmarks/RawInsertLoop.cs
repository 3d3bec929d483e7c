using Ingest.Storage;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// The baseline: the plainest prepared Microsoft.Data.Sqlite insert loop that stores the same rows in the same
/// schema (same tables and indexes, same pragmas; no search index), one transaction per batch. No upsert, no RETURNING.
/// </summary>
public sealed class RawInsertLoop : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _details;
    private readonly SqliteCommand? _search;

    /// <param name="search">Also index each row's args, kwargs and result in the day's full-text table (which must exist), one prepared insert per row.</param>
    public RawInsertLoop(string path, DayPartition day, int? cacheKiB = null, bool search = false)
    {
        _connection = SqliteConnections.OpenWriter(new StorageOptions { DatabasePath = path, WriterCacheKiB = cacheKiB ?? new StorageOptions().WriterCacheKiB });
        using (var create = _connection.CreateCommand())
        {
            create.CommandText = PartitionSchema.CreateSql(day, search: false);
            create.ExecuteNonQuery();
        }

        _insert = _connection.CreateCommand();
        _insert.CommandText = $"INSERT INTO {day.InvocationsSql} (task_id, name, state, worker, queue, sent_at, received_at, started_at, finished_at, state_at, runtime_s, retries, exception_type, exception, parent_id, root_id) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
        for (var i = 1; i <= 16; i++)
        {
            _insert.Parameters.Add(new SqliteParameter("$" + i, DBNull.Value));
        }

        _details = _connection.CreateCommand();
        _details.CommandText = $"INSERT INTO {day.DetailsSql} (id, args, kwargs, result, traceback) VALUES (last_insert_rowid(), $1, $2, $3, $4)";
        for (var i = 1; i <= 4; i++)
        {
            _details.Parameters.Add(new SqliteParameter("$" + i, DBNull.Value));
        }

        if (search)
        {
            _search = _connection.CreateCommand();
            _search.CommandText = $"INSERT INTO {day.SearchSql} (rowid, args, kwargs, result) VALUES (last_insert_rowid(), $1, $2, $3)";
            for (var i = 1; i <= 3; i++)
            {
                _search.Parameters.Add(new SqliteParameter("$" + i, DBNull.Value));
            }
        }
    }

    public SqliteConnection Connection => _connection;

    public void WriteBatch(IReadOnlyList<InvocationRecord> batch) => WriteBatch(batch, null);

    /// <param name="alsoInTransaction">More SQL work of the batch, run in its transaction before the commit (a comparison's rollups).</param>
    public void WriteBatch(IReadOnlyList<InvocationRecord> batch, Action<SqliteTransaction, IReadOnlyList<InvocationRecord>>? alsoInTransaction)
    {
        using var tx = _connection.BeginTransaction(deferred: false);
        _insert.Transaction = tx;
        _details.Transaction = tx;
        foreach (var r in batch)
        {
            var p = _insert.Parameters;
            p[0].Value = r.TaskId;
            p[1].Value = (object?)r.Name ?? DBNull.Value;
            p[2].Value = r.State;
            p[3].Value = (object?)r.Worker ?? DBNull.Value;
            p[4].Value = (object?)r.Queue ?? DBNull.Value;
            p[5].Value = (object?)r.SentAt ?? DBNull.Value;
            p[6].Value = (object?)r.ReceivedAt ?? DBNull.Value;
            p[7].Value = (object?)r.StartedAt ?? DBNull.Value;
            p[8].Value = (object?)r.FinishedAt ?? DBNull.Value;
            p[9].Value = r.StateAt;
            p[10].Value = (object?)r.RuntimeSeconds ?? DBNull.Value;
            p[11].Value = r.Retries;
            p[12].Value = (object?)r.ExceptionType ?? DBNull.Value;
            p[13].Value = (object?)r.Exception ?? DBNull.Value;
            p[14].Value = (object?)r.ParentId ?? DBNull.Value;
            p[15].Value = (object?)r.RootId ?? DBNull.Value;
            _insert.ExecuteNonQuery();
            var d = _details.Parameters;
            d[0].Value = (object?)r.Args ?? DBNull.Value;
            d[1].Value = (object?)r.Kwargs ?? DBNull.Value;
            d[2].Value = (object?)r.Result ?? DBNull.Value;
            d[3].Value = (object?)r.Traceback ?? DBNull.Value;
            _details.ExecuteNonQuery();
            if (_search is not null)
            {
                _search.Transaction = tx;
                _search.Parameters[0].Value = d[0].Value;
                _search.Parameters[1].Value = d[1].Value;
                _search.Parameters[2].Value = d[2].Value;
                _search.ExecuteNonQuery();
            }
        }

        alsoInTransaction?.Invoke(tx, batch);
        tx.Commit();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _details.Dispose();
        _search?.Dispose();
        _connection.Dispose();
    }
}
