namespace Ingest.Pipeline;

/// <summary>
/// What the flush loop does after a failed commit: wait and retry the same batch with exponential backoff,
/// and after <see cref="MaxAttempts"/> give the batch up (counted) so that one poisoned batch cannot stall
/// ingest forever. Pure: no clock, no threads.
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

    public int MaxAttempts { get; }

    /// <summary>After failed attempt number <paramref name="attempt"/> (1-based): retry after the delay, or drop (null).</summary>
    public TimeSpan? NextDelay(int attempt)
    {
        if (attempt >= MaxAttempts)
        {
            return null;
        }

        var ms = s_firstDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(ms, s_maxDelay.TotalMilliseconds));
    }
}
