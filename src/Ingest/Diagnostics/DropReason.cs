namespace Ingest.Diagnostics;

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
}

/// <summary>Why the tracker wrote an invocation before its task finished.</summary>
public enum EarlyWriteReason
{
    /// <summary>The in-flight map was at its cap; the least recently updated task was written with its last state.</summary>
    Capacity,

    /// <summary>No event for the task within the idle timeout.</summary>
    Idle,

    /// <summary>Still in flight at shutdown or at the end of a replay.</summary>
    Shutdown,

    /// <summary>The tracker held its share of the memory budget; the least recently updated task was written with its last state.</summary>
    Memory,
}

public static class DiagnosticNames
{
    public const int DropReasonCount = (int)DropReason.MemoryBudget + 1;
    public const int EarlyWriteReasonCount = (int)EarlyWriteReason.Memory + 1;

    private static readonly string[] s_drop = ["queue_full", "write_failed", "shutdown", "memory_budget"];
    private static readonly string[] s_early = ["capacity", "idle", "shutdown", "memory"];

    public static string Name(this DropReason reason) => s_drop[(int)reason];

    public static string Name(this EarlyWriteReason reason) => s_early[(int)reason];
}
