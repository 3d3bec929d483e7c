namespace Ingest.Pipeline;

/// <summary>
/// Turns the flush loop's published state into ok/degraded/failing. Pure: it reads only the numbers it is
/// given, so it answers in microseconds and is tested without threads.
/// </summary>
public static class HealthEvaluator
{
    /// <param name="status">The flush loop's status.</param>
    /// <param name="sinceLastSuccess">Time since the last commit (or since start).</param>
    /// <param name="backlog">Records queued or in the batch being written.</param>
    /// <param name="consecutiveFailures">Failed commits since the last success.</param>
    /// <param name="sinceLastDrop">Time since the last queue_full drop, null if none.</param>
    /// <param name="stallThreshold">The configured stall threshold.</param>
    /// <param name="extraDegradedReasons">Other sources' complaints (a broker that is down).</param>
    public static HealthStatus Evaluate(
        FlushLoopStatus status,
        TimeSpan sinceLastSuccess,
        long backlog,
        int consecutiveFailures,
        TimeSpan? sinceLastDrop,
        TimeSpan stallThreshold,
        IEnumerable<string>? extraDegradedReasons = null)
    {
        if (status == FlushLoopStatus.Failed)
        {
            return new HealthStatus(HealthStatus.Failing, ["flush loop has died"]);
        }

        var reasons = new List<string>();
        if (backlog > 0 && sinceLastSuccess > stallThreshold)
        {
            reasons.Add($"no flush for {sinceLastSuccess.TotalSeconds:F0} s with {backlog} records waiting");
        }

        if (consecutiveFailures > 0)
        {
            reasons.Add($"{consecutiveFailures} failed commits in a row");
        }

        if (sinceLastDrop is { } drop && drop <= stallThreshold)
        {
            reasons.Add($"records dropped {drop.TotalSeconds:F0} s ago: the channel is full");
        }

        if (extraDegradedReasons is not null)
        {
            reasons.AddRange(extraDegradedReasons);
        }

        return reasons.Count == 0 ? new HealthStatus(HealthStatus.Ok, reasons) : new HealthStatus(HealthStatus.Degraded, reasons);
    }
}
