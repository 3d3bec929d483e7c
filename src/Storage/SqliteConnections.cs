using Microsoft.Data.Sqlite;

namespace Ingest.Storage;

/// <summary>Opens the one writer connection and the readers' connections with the pragmas this store depends on.</summary>
public static class SqliteConnections
{
    /// <summary>
    /// Opens the writer. Pragmas: WAL so readers never block the writer; synchronous=NORMAL (durable at
    /// checkpoints, safe in WAL); secure_delete=OFF so DROP TABLE does not overwrite every freed page;
    /// foreign_keys=OFF (e_sqlite3 turns them on, and we have none); auto_vacuum=INCREMENTAL, which only takes
    /// effect on a file that has no tables yet.
    /// </summary>
    public static SqliteConnection OpenWriter(StorageOptions options)
    {
        var path = Path.GetFullPath(options.DatabasePath);
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        try
        {
            options.OnWriterOpen?.Invoke(connection);
            Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL;");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, $"""
                PRAGMA synchronous = NORMAL;
                PRAGMA secure_delete = OFF;
                PRAGMA temp_store = MEMORY;
                PRAGMA journal_size_limit = 67108864;
                PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds};
                PRAGMA cache_size = -{options.WriterCacheKiB};
                """);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    /// <summary>A read-only connection string for readers (pooled; WAL lets them run beside the writer).</summary>
    public static string ReaderConnectionString(StorageOptions options) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(options.DatabasePath),
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = true,
        DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
    }.ToString();

    /// <summary>
    /// Opens a reader's connection, and when <paramref name="reads"/> is given tracks it there from open to close:
    /// <c>/healthz</c> names a read that holds the WAL too long (issue 24). Tracking hangs on the connection's own
    /// state changes, so every way a reader closes it (dispose, close, a failed open) ends the read.
    /// </summary>
    public static SqliteConnection OpenReader(string connectionString, Reading.OpenReads? reads = null)
    {
        var connection = new SqliteConnection(connectionString);
        if (reads is not null)
        {
            var slot = -1;
            connection.StateChange += (_, e) =>
            {
                if (e.CurrentState == System.Data.ConnectionState.Open && slot < 0)
                {
                    slot = reads.Begin();
                }
                else if (e.CurrentState == System.Data.ConnectionState.Closed && slot >= 0)
                {
                    reads.End(slot);
                    slot = -1;
                }
            };
        }

        try
        {
            connection.Open();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    internal static T? Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
