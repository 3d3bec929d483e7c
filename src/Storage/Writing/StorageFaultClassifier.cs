using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// Tells a fault of the storage (disk full, I/O error, a lock held elsewhere: retrying the same records later may
/// succeed) from a fault of a record (a bug or an impossible value in one record: it fails again however often it
/// is retried). Pure: it looks at the exception only. SQLite's result codes are matched on their primary code, the
/// low byte, so an extended code (<c>SQLITE_IOERR_WRITE</c> is 778, <c>SQLITE_BUSY_SNAPSHOT</c> 517) counts as its family.
/// </summary>
/// <remarks>
/// Issue 12: one runtime of 1e308 failed five commits and dropped 351 good invocations, because the flush loop
/// could not tell that record's failure from the storage's. A record fault is split out of its batch and set aside;
/// a storage fault keeps the batch for the retry policy.
/// </remarks>
public static class StorageFaultClassifier
{
    /// <summary>The bits of an extended result code that hold its primary code.</summary>
    public const int PrimaryCodeMask = 0xFF;

    /// <summary><c>SQLITE_BUSY</c>: the file is locked by another connection.</summary>
    public const int SqliteBusy = 5;

    /// <summary><c>SQLITE_LOCKED</c>: a table is locked by another statement or a shared-cache connection.</summary>
    public const int SqliteLocked = 6;

    /// <summary><c>SQLITE_NOMEM</c>: a memory allocation failed.</summary>
    public const int SqliteNoMem = 7;

    /// <summary><c>SQLITE_READONLY</c>: a write to a database opened or made read-only.</summary>
    public const int SqliteReadOnly = 8;

    /// <summary><c>SQLITE_IOERR</c>: the operating system reported an I/O error.</summary>
    public const int SqliteIoErr = 10;

    /// <summary><c>SQLITE_CORRUPT</c>: the database file is malformed.</summary>
    public const int SqliteCorrupt = 11;

    /// <summary><c>SQLITE_FULL</c>: the disk is full, or the file reached its page limit.</summary>
    public const int SqliteFull = 13;

    /// <summary><c>SQLITE_CANTOPEN</c>: the file (or its journal or WAL) could not be opened.</summary>
    public const int SqliteCantOpen = 14;

    /// <summary><c>SQLITE_PROTOCOL</c>: WAL's locking protocol lost a race with another connection.</summary>
    public const int SqliteProtocol = 15;

    /// <summary><c>SQLITE_NOTADB</c>: the file is not a database.</summary>
    public const int SqliteNotADb = 26;

    /// <summary>The primary result code of a SQLite result code, extended or not.</summary>
    public static int PrimaryCode(int resultCode) => resultCode & PrimaryCodeMask;

    /// <summary>
    /// What failed: a <see cref="StorageFault"/> for SQLite's busy, locked, out-of-memory, read-only, I/O, corrupt,
    /// full, can't-open, protocol and not-a-database codes and for the OS's I/O, access and memory failures;
    /// <see cref="StorageFault.None"/> for everything else (a constraint, a mismatch, a bug).
    /// </summary>
    public static StorageFault Classify(Exception exception) => exception switch
    {
        SqliteException sqlite => FromResultCode(sqlite.SqliteErrorCode),
        ClickHouse.ClickHouseException clickHouse => clickHouse.Fault,
        IOException => StorageFault.Io,
        UnauthorizedAccessException => StorageFault.ReadOnly,
        OutOfMemoryException => StorageFault.OutOfMemory,
        _ => StorageFault.None,
    };

    /// <summary>Whether retrying the same records later may succeed: <see cref="Classify"/> found a fault of the storage.</summary>
    public static bool IsStorageFault(Exception exception) => Classify(exception) != StorageFault.None;

    /// <summary>
    /// Whether the store is away rather than failing these records: a ClickHouse server that did not answer at all
    /// (refused, reset, no answer in time) or answered that it is busy (issue 26). The flush loop waits such an
    /// outage out, holding the batch while the bounded channel takes what arrives (and drops its oldest, counted,
    /// once full): giving batches up after a few retries lost every batch of a server restart. A SQLite fault is
    /// never an outage: the file is here, and its faults keep their retry limit.
    /// </summary>
    public static bool IsOutage(Exception exception) =>
        exception is ClickHouse.ClickHouseException { Code: null, HttpStatus: null } or ClickHouse.ClickHouseException { Fault: StorageFault.Busy };

    private static StorageFault FromResultCode(int resultCode) => PrimaryCode(resultCode) switch
    {
        SqliteBusy or SqliteLocked or SqliteProtocol => StorageFault.Busy,
        SqliteNoMem => StorageFault.OutOfMemory,
        SqliteReadOnly => StorageFault.ReadOnly,
        SqliteIoErr or SqliteCantOpen => StorageFault.Io,
        SqliteCorrupt or SqliteNotADb => StorageFault.Corrupt,
        SqliteFull => StorageFault.DiskFull,
        _ => StorageFault.None,
    };
}
