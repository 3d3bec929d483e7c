namespace Ingest.Pipeline;

/// <summary>What the flush loop is doing, as <c>/healthz</c> reports it.</summary>
public enum FlushLoopStatus
{
    Starting,
    Idle,
    Writing,
    Retrying,
    Maintaining,
    Draining,
    Stopped,

    /// <summary>The loop has died: nothing will be written until the process restarts.</summary>
    Failed,
}
