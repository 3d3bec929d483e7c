using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Checkpoint;

/// <summary>
/// The in-flight checkpoint table, <c>inflight_tasks</c>: one row per unfinished task the tracker holds, so that a
/// kill -9 does not turn every task in flight into a nameless row (issue 13). Outside the day partitions: it holds
/// at most what the tracker may hold, its rows go when their invocation is written, and retention never touches
/// it. Statements are prepared once and reused on the writer's connection.
/// </summary>
internal sealed class CheckpointStatements : IDisposable
{
    public const string Table = "inflight_tasks";

    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;

    public CheckpointStatements(SqliteConnection connection)
    {
        SqliteConnections.Execute(connection,
            $"CREATE TABLE IF NOT EXISTS {Table} (task_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL) WITHOUT ROWID");
        _upsert = connection.CreateCommand();
        _upsert.CommandText = $"INSERT INTO {Table} (task_id, state, updated_at) VALUES ($id, $state, $at) "
            + "ON CONFLICT (task_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";
        _upsert.Parameters.Add(new SqliteParameter("$id", DBNull.Value));
        _upsert.Parameters.Add(new SqliteParameter("$state", DBNull.Value));
        _upsert.Parameters.Add(new SqliteParameter("$at", DBNull.Value));
        _delete = connection.CreateCommand();
        _delete.CommandText = $"DELETE FROM {Table} WHERE task_id = $id";
        _delete.Parameters.Add(new SqliteParameter("$id", DBNull.Value));
    }

    public void Write(CheckpointDelta delta, SqliteTransaction transaction)
    {
        _upsert.Transaction = transaction;
        foreach (var row in delta.Upserts)
        {
            _upsert.Parameters[0].Value = row.TaskId;
            _upsert.Parameters[1].Value = row.State;
            _upsert.Parameters[2].Value = row.UpdatedAt;
            _upsert.ExecuteNonQuery();
        }

        _delete.Transaction = transaction;
        foreach (var id in delta.Deletes)
        {
            _delete.Parameters[0].Value = id;
            _delete.ExecuteNonQuery();
        }
    }

    /// <summary>Up to <paramref name="max"/> rows, most recently updated first (the tracker's caps apply on restore).</summary>
    public static List<CheckpointRow> Read(SqliteConnection connection, int max)
    {
        var rows = new List<CheckpointRow>();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT task_id, state, updated_at FROM {Table} ORDER BY updated_at DESC LIMIT $max";
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new CheckpointRow(reader.GetString(0), reader.GetString(1), reader.GetDouble(2)));
        }

        return rows;
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
    }
}
