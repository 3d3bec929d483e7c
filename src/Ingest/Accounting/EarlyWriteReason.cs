namespace Ingest.Accounting;

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
