namespace Ingest.Pipeline;

/// <summary>
/// Whose fault a failed write was, as <see cref="StorageFaultClassifier"/> tells it. Every kind but
/// <see cref="None"/> is the storage's: retrying the same records later may succeed.
/// </summary>
public enum StorageFaultKind
{
    /// <summary>Not the storage's: tied to some record (a bug or an impossible value), which bisection finds.</summary>
    None,

    /// <summary>Another connection holds the database (SQLite busy or locked).</summary>
    Contention,

    /// <summary>Memory or disk space ran out (SQLite out-of-memory or full, the runtime's out-of-memory).</summary>
    Exhausted,

    /// <summary>The file or its disk refuses (SQLite read-only, I/O error, can't-open, protocol; the OS's I/O or permission errors).</summary>
    Unavailable,

    /// <summary>The file is not a sound database (SQLite corrupt or not-a-database).</summary>
    Damaged,
}
