using System.Globalization;

namespace Ingest.Insights.Objectives;

/// <summary>
/// A latency objective, <c>p95 &lt;= 2s</c> of runtime or of queue wait: that percentage of the task's runs (its
/// successes for runtime, its starts for queue wait) within the threshold. Its SLI counts each one good (within)
/// or bad (over), so its target is the percentile as a ratio: p95 is 0.95.
/// </summary>
/// <param name="Percentile">The percentile, above 0 and below 100 (95 for p95).</param>
/// <param name="Seconds">The threshold.</param>
/// <param name="QueueWait">True for queue wait (sent to started), false for runtime (task-succeeded's).</param>
public sealed record LatencyObjective(double Percentile, double Seconds, bool QueueWait)
{
    /// <summary>The share of runs that must be within the threshold.</summary>
    public double Target => Percentile / 100;

    /// <summary>What it measures, in the file's words.</summary>
    public string Of => QueueWait ? "queue_wait" : "runtime";

    /// <summary>As the file writes it: <c>p95 &lt;= 2s of runtime</c>.</summary>
    public override string ToString() =>
        $"p{Percentile.ToString("0.###", CultureInfo.InvariantCulture)} <= {ObjectiveDurations.Format(Seconds)} of {Of}";
}
