namespace Ingest.Tracking;

/// <summary>
/// What the SLI counters need of one objective (the objectives file is read above this folder): its name (the
/// <c>objective</c> label), which task names it covers, and which events are good or bad for it.
/// </summary>
/// <param name="Name">The objective's name: the label value, unique in the file.</param>
/// <param name="Matches">Whether a task name is one the objective covers.</param>
/// <param name="Success">Whether a success-rate objective is set (task-succeeded is good, task-failed bad).</param>
/// <param name="RuntimeSeconds">A runtime objective's threshold: a success that ran longer is bad for the latency SLI.</param>
/// <param name="QueueWaitSeconds">A queue-wait objective's threshold: a start that waited longer since its send is bad.</param>
public sealed record ObjectiveSli(string Name, Func<string, bool> Matches, bool Success, double? RuntimeSeconds, double? QueueWaitSeconds)
{
    /// <summary>Whether a latency objective (of runtime or of queue wait) is set.</summary>
    public bool Latency => RuntimeSeconds is not null || QueueWaitSeconds is not null;
}
