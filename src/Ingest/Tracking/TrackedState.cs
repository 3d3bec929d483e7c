namespace Ingest.Tracking;

/// <summary>
/// Where a task's entry is in its life in the tracker. Whether the task itself has finished is its merge's
/// (<see cref="TaskMerge.IsReady"/>), not this: a late task-retried can reopen a finished task.
/// </summary>
internal enum TrackedState
{
    /// <summary>In the map, no record of it sent yet: the checkpoint is its only durable trace.</summary>
    InFlight,

    /// <summary>
    /// In the map, its invocation sent at least once (a terminal event was seen, a retry among them): a later event
    /// that changes it sends it again, and the upsert merges it.
    /// </summary>
    Emitted,

    /// <summary>
    /// Out of the map (written early, expired, evicted, flushed): its record carries it, and the checkpoint takes
    /// no more of it.
    /// </summary>
    Released,

    /// <summary>
    /// Written at shutdown and out of the map, but kept in the checkpoint for the next start (serve): the
    /// checkpoint still takes its changes, and the next start restores it.
    /// </summary>
    KeptForRestart,
}
