using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// <c>ingest db compact</c>: an explicit, offline, full reclaim. Switches the file to auto_vacuum=INCREMENTAL (a
/// file created by Phlower is NONE, which only a full VACUUM can change) and rewrites it without free pages.
/// It takes an exclusive lock for as long as it runs and needs free disk of about the file's size: it is the
/// one operation in Ingest with no time bound, which is why it is never run by the service itself.
/// </summary>
public static class Compactor
{
    /// <summary>Compacts the file, calling <paramref name="progress"/> about once a second with the time so far.</summary>
    public static (long Before, long After) Run(string path, Action<TimeSpan> progress, TimeProvider time)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"no database at {full}", full);
        }

        var before = new FileInfo(full).Length + WalLength(full);
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString());
        c.Open();
        var started = time.GetTimestamp();
        var lastReport = started;
        SQLitePCL.raw.sqlite3_progress_handler(c.Handle, 10_000, _ =>
        {
            if (time.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(1))
            {
                lastReport = time.GetTimestamp();
                progress(time.GetElapsedTime(started));
            }

            return 0;
        }, null);
        SqliteConnections.Execute(c, "PRAGMA busy_timeout = 5000; PRAGMA auto_vacuum = INCREMENTAL;");
        SqliteConnections.Execute(c, "VACUUM");
        SqliteConnections.Execute(c, "PRAGMA wal_checkpoint(TRUNCATE)");
        progress(time.GetElapsedTime(started));
        c.Close();
        return (before, new FileInfo(full).Length + WalLength(full));
    }

    private static long WalLength(string full) => File.Exists(full + "-wal") ? new FileInfo(full + "-wal").Length : 0;
}
