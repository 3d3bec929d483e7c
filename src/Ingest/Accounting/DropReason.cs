namespace Ingest.Accounting;

/// <summary>Why an invocation record did not reach SQLite. Every loss is one of these and is counted.</summary>
public enum DropReason
{
    /// <summary>The channel was full and this was its oldest record (drop-oldest policy).</summary>
    QueueFull,

    /// <summary>A batch failed to commit after every retry the failure policy allows.</summary>
    WriteFailed,

    /// <summary>Still queued when the shutdown drain budget ran out.</summary>
    Shutdown,

    /// <summary>The tracker and the channel held the whole memory budget, and this was the channel's oldest record.</summary>
    MemoryBudget,

    /// <summary>
    /// Dated on a day outside the window partitions are kept for (older than retention keeps, or past tomorrow) with no
    /// partition of its own left: written there, it would make a day retention drops at once or never reaches (issue 24).
    /// </summary>
    OutsideWindow,
}
