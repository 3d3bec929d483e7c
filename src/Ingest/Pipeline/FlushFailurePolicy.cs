namespace Ingest.Pipeline;

/// <summary>
/// What the flush loop does after a failed commit: wait and retry the same batch with exponential backoff,
/// and after <see cref="MaxAttempts"/> give the batch up (counted) so that one poisoned batch cannot stall
/// ingest forever. Then, with nothing left to write, probe the store on the same backoff until a write succeeds
/// (issue 24: readiness stayed 503 after a full disk had room again, because only new records ever tried).
/// Pure: no clock, no threads.
/// </summary>
public sealed class FlushFailurePolicy
{
    private static readonly TimeSpan s_firstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxDelay = TimeSpan.FromSeconds(5);

    public FlushFailurePolicy(int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        MaxAttempts = maxAttempts;
    }

    /// <summary>Commit attempts of one batch before it is given up.</summary>
    public int MaxAttempts { get; }

    /// <summary>After failed attempt number <paramref name="attempt"/> (1-based): retry after the delay, or drop (null).</summary>
    public TimeSpan? NextDelay(int attempt) => attempt >= MaxAttempts ? null : Backoff(attempt);

    /// <summary>
    /// How long after the last failed commit, or the last failed probe, write probe number <paramref name="probe"/>
    /// (1-based) runs: the retries' backoff, without an end (a store that is down for an hour is probed every 5 s).
    /// </summary>
    public static TimeSpan ProbeDelay(int probe)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probe, 1);
        return Backoff(probe);
    }

    private static TimeSpan Backoff(int attempt)
    {
        var ms = s_firstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, s_maxDelay.TotalMilliseconds));
    }
}
