namespace Ingest.Tracking;

/// <summary>
/// How far the attempt in progress has come, by the latest non-terminal worker event. The order is the rank: at
/// one timestamp task-started outranks task-received. The numbers are stored in checkpoint rows ("ar").
/// </summary>
internal enum AttemptPhase
{
    /// <summary>No worker has reported the task yet.</summary>
    None = 0,

    /// <summary>A worker received it (task-received).</summary>
    Received = 1,

    /// <summary>A worker started it (task-started).</summary>
    Started = 2,
}
