namespace Ingest.Storage.Writing;

/// <summary>
/// What failed when a write failed, as <see cref="StorageFaultClassifier.Classify"/> tells it. Every value but
/// <see cref="None"/> is a fault of the storage rather than of a record: retrying the same records later may
/// succeed, so a batch that met one is kept for the retry policy instead of being split to find a bad record.
/// </summary>
public enum StorageFault
{
    /// <summary>
    /// Not the storage's: a constraint, a value SQLite refuses, or a bug, tied to some record of the batch. Retrying
    /// the same records fails again.
    /// </summary>
    None,

    /// <summary>Another connection holds the lock: <c>SQLITE_BUSY</c>, <c>SQLITE_LOCKED</c>, or <c>SQLITE_PROTOCOL</c> (WAL's lock race).</summary>
    Busy,

    /// <summary>Out of memory: <c>SQLITE_NOMEM</c>, or the runtime's <see cref="OutOfMemoryException"/>.</summary>
    OutOfMemory,

    /// <summary>The file may not be written: <c>SQLITE_READONLY</c>, or the OS refused access (<see cref="UnauthorizedAccessException"/>).</summary>
    ReadOnly,

    /// <summary>The disk or file system failed: <c>SQLITE_IOERR</c>, <c>SQLITE_CANTOPEN</c>, or an <see cref="IOException"/>.</summary>
    Io,

    /// <summary>The file is damaged or is not a database: <c>SQLITE_CORRUPT</c>, <c>SQLITE_NOTADB</c>.</summary>
    Corrupt,

    /// <summary>The volume (or the file's page limit) is full: <c>SQLITE_FULL</c>.</summary>
    DiskFull,
}
