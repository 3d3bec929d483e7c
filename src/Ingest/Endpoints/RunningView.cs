namespace Ingest.Endpoints;

/// <summary>One unfinished run as the Running page shows it (issue 25).</summary>
/// <param name="Run">The run, from the tracker.</param>
/// <param name="AgeS">Seconds since it reached its state (started, received, retried): how long it has been so.</param>
/// <param name="WaitingEta">Received with an ETA still ahead: waiting by design, never stuck.</param>
/// <param name="BaselineP99S">Its task's p99 runtime over the last 7 days; null when the task has no finished runs there ("no baseline").</param>
/// <param name="StuckAfterS">The age past which it is stuck (the p99 times the stuck factor); null without a baseline.</param>
/// <param name="Stuck">Started, and older than <paramref name="StuckAfterS"/>.</param>
public sealed record RunningView(InvocationView Run, double AgeS, bool WaitingEta, double? BaselineP99S, double? StuckAfterS, bool Stuck);
