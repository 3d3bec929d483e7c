using Ingest.Accounting;
using Ingest.Pipeline;
namespace Ingest.Diagnostics;

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
    /// <param name="lastDrop">Time since the last drop of any reason and that reason, null if none.</param>
    /// <param name="stallThreshold">The configured stall threshold.</param>
    /// <param name="extraDegradedReasons">Other sources' complaints (a broker that is down).</param>
    /// <param name="memoryLimited">Time since the memory budget last forced an early write or a drop, and the budget in bytes; null if never.</param>
    public static HealthStatus Evaluate(
        FlushLoopStatus status,
        TimeSpan sinceLastSuccess,
        long backlog,
        int consecutiveFailures,
        (TimeSpan Since, DropReason Reason)? lastDrop,
        TimeSpan stallThreshold,
        IEnumerable<string>? extraDegradedReasons = null,
        (TimeSpan Since, long BudgetBytes)? memoryLimited = null)
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

        if (lastDrop is { } drop && drop.Since <= stallThreshold)
        {
            reasons.Add($"invocations dropped {drop.Since.TotalSeconds:F0} s ago ({DiagnosticNames.Name(drop.Reason)}): {Explain(drop.Reason)}");
        }

        if (memoryLimited is { } m && m.Since <= stallThreshold)
        {
            reasons.Add($"the memory budget of {m.BudgetBytes / (1024 * 1024)} MiB was the limit {m.Since.TotalSeconds:F0} s ago: "
                + "in-flight tasks were written before they finished, and the oldest queued invocations go if the writer falls behind");
        }

        if (extraDegradedReasons is not null)
        {
            reasons.AddRange(extraDegradedReasons);
        }

        return reasons.Count == 0 ? new HealthStatus(HealthStatus.Ok, reasons) : new HealthStatus(HealthStatus.Degraded, reasons);
    }

    /// <summary>
    /// What a drop of this reason means, for <c>/healthz</c>. Every reason has its own words and there is no catch-all:
    /// one ended this switch and reported a memory_budget drop as "shutdown ran out of its drain budget". The arms
    /// name every value, so a new <see cref="DropReason"/> does not build (CS8509 under
    /// TreatWarningsAsErrors) until it is explained here; a value outside the enum is a bug and throws.
    /// </summary>
    private static string Explain(DropReason reason)
    {
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "not a defined DropReason");
        }

        // CS8524 asks for an arm for undefined values; that discard would also swallow a new named one, which is
        // what hid memory_budget. Undefined values are refused above instead.
#pragma warning disable CS8524
        return reason switch
        {
            DropReason.QueueFull => "the channel was full",
            DropReason.WriteFailed => "the writer could not store them (see invocations.last_write_failure)",
            DropReason.Shutdown => "shutdown ran out of its drain budget",
            DropReason.MemoryBudget => "the tracker and the channel held the whole memory budget (--max-memory-mb), so the oldest queued invocations went",
            DropReason.OutsideWindow => "they were dated outside the days retention keeps (or past tomorrow), where no partition is made",
        };
#pragma warning restore CS8524
    }
}
