using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Tests.Support;

internal static class StorageFixtures
{
    public static string SharedDir => TestPaths.SharedDir;

    public static string LegacySmall => Path.Combine(SharedDir, "fixtures", "phlower-legacy", "legacy-small.db");

    /// <summary>A writable copy of the Phlower fixture (the original is read-only).</summary>
    public static string CopyLegacy(TempDirectory dir, string name = "legacy.db")
    {
        var path = dir.File(name);
        File.Copy(LegacySmall, path);
        File.SetAttributes(path, FileAttributes.Normal);
        return path;
    }

    /// <summary>Grows a copied legacy database tenfold with new task ids (before migration: tables still unrenamed).</summary>
    public static void GrowLegacy(string path, int doublings)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        for (var i = 0; i < doublings; i++)
        {
            SqliteConnections.Execute(c, """
                INSERT INTO invocations (task_id, task_name, state, received_at, started_at, finished_at, runtime_ms, worker, queue, exception_type)
                SELECT lower(hex(randomblob(16))), task_name, state, received_at, started_at, finished_at, runtime_ms, worker, queue, exception_type FROM invocations
                """);
        }
    }

    /// <summary>
    /// Counts the work a connection does: SQLite VM steps (progress callback every 100 ops) and page lookups
    /// (page-cache hits plus misses). COUNT(*) walks a b-tree inside one VM op, so the page count is what
    /// catches a scan.
    /// </summary>
    public sealed class VmStepCounter
    {
        private const int DbStatusCacheHit = 7;
        private const int DbStatusCacheMiss = 8;
        private long _callbacks;
        private SqliteConnection? _connection;

        public long Steps => Interlocked.Read(ref _callbacks) * 100;

        public void Attach(SqliteConnection connection)
        {
            _connection = connection;
            SQLitePCL.raw.sqlite3_progress_handler(connection.Handle, 100, _ => { Interlocked.Increment(ref _callbacks); return 0; }, null);
        }

        /// <summary>Page lookups so far; read it while the connection is open.</summary>
        public long PageLookups()
        {
            SQLitePCL.raw.sqlite3_db_status(_connection!.Handle, DbStatusCacheHit, out var hits, out _, 0);
            SQLitePCL.raw.sqlite3_db_status(_connection.Handle, DbStatusCacheMiss, out var misses, out _, 0);
            return hits + misses;
        }
    }

    /// <summary>Records every statement a connection runs.</summary>
    public sealed class StatementLog
    {
        public List<string> Statements { get; } = [];

        public void Attach(SqliteConnection connection) =>
            SQLitePCL.raw.sqlite3_trace(connection.Handle, (_, sql) => { lock (Statements) { Statements.Add(sql); } }, null);
    }
}
