using Microsoft.Data.Sqlite;

namespace Ingest.Pipeline;

/// <summary>
/// Tells a fault of the storage from a fault of a record, for a failed write: the storage's is retried with
/// backoff, a record's is bisected to the record that fails alone (issue 12). Pure: it reads only the exception.
/// </summary>
public static class StorageFaultClassifier
{
    // SQLite's primary result codes (https://sqlite.org/rescode.html) that are the storage's, not a record's.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMem = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteProtocol = 15;
    private const int SqliteNotADb = 26;

    // An extended result code (SQLITE_IOERR_WRITE = 778, SQLITE_BUSY_SNAPSHOT = 517) keeps its primary code in
    // its low byte. Microsoft.Data.Sqlite reports primary codes unless extended ones are switched on, which
    // Storage does not do; masking keeps the classification right if that ever changes.
    private const int PrimaryCodeMask = 0xFF;

    /// <summary>What kind of fault <paramref name="error"/> is; <see cref="StorageFaultKind.None"/> when it is a record's.</summary>
    public static StorageFaultKind Classify(Exception error) => error switch
    {
        SqliteException s => (s.SqliteErrorCode & PrimaryCodeMask) switch
        {
            SqliteBusy or SqliteLocked => StorageFaultKind.Contention,
            SqliteNoMem or SqliteFull => StorageFaultKind.Exhausted,
            SqliteReadOnly or SqliteIoErr or SqliteCantOpen or SqliteProtocol => StorageFaultKind.Unavailable,
            SqliteCorrupt or SqliteNotADb => StorageFaultKind.Damaged,
            _ => StorageFaultKind.None, // a constraint, a type mismatch, a bug: some record's
        },
        OutOfMemoryException => StorageFaultKind.Exhausted,
        IOException or UnauthorizedAccessException => StorageFaultKind.Unavailable,
        _ => StorageFaultKind.None,
    };

    /// <summary>
    /// Faults of the storage rather than of a record: retrying the same records later may succeed. SQLite's
    /// busy, locked, out-of-memory, read-only, I/O, corrupt, full, can't-open, protocol and not-a-database
    /// errors, and the OS's.
    /// </summary>
    public static bool IsStorageFault(Exception error) => Classify(error) != StorageFaultKind.None;
}
