using System.Globalization;

namespace Ingest.Storage;

/// <summary>
/// One process per database file: <c>serve</c>, <c>replay</c> and <c>db compact</c> hold an exclusive advisory lock
/// on <c>FILE.lock</c> beside the database for their whole life. A second one fails at once, naming the holder.
/// (Issue 12: a second serve on the same file split every task's events between two processes and stored 1,001 of
/// 1,001 nameless; a compaction beside a live server stalled it 9 s and doubled the file, PocketHost's incident.)
/// On Linux .NET takes <c>FileShare.None</c> as <c>flock(LOCK_EX)</c>, which the kernel releases when the process
/// dies, kill -9 included, so a crash never leaves a stale lock. The holder's PID and role are written to
/// <c>FILE.lock.owner</c>, a plain file, so that the one refused can say who holds it. <c>db info</c> opens the
/// database read-only and takes no lock.
/// </summary>
public sealed class DatabaseLock : IDisposable
{
    private readonly FileStream _lock;

    private DatabaseLock(FileStream handle, string path)
    {
        _lock = handle;
        LockPath = path;
    }

    public string LockPath { get; }

    /// <summary>Takes the lock for <paramref name="databasePath"/> or throws <see cref="DatabaseLockedException"/>.</summary>
    /// <param name="databasePath">The SQLite file (its folder is created if missing).</param>
    /// <param name="role">What this process is, for the message another one gets (<c>serve</c>, <c>replay</c>, ...).</param>
    /// <param name="time">Stamps when the lock was taken.</param>
    public static DatabaseLock Acquire(string databasePath, string role, TimeProvider time)
    {
        var full = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var lockPath = full + ".lock";
        FileStream handle;
        try
        {
            handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new DatabaseLockedException(full, ReadOwner(lockPath));
        }

        try
        {
            File.WriteAllText(lockPath + ".owner", string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId} ({role}) on {Environment.MachineName} since {time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}\n"));
        }
        catch (IOException)
        {
            // The lock is what counts; the owner note is only for the message.
        }

        return new DatabaseLock(handle, lockPath);
    }

    public void Dispose() => _lock.Dispose();

    private static string? ReadOwner(string lockPath)
    {
        try
        {
            return File.ReadAllText(lockPath + ".owner").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
