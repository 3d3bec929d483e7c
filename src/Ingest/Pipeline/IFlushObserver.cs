namespace Ingest.Pipeline;

/// <summary>
/// Where the flush loop reports the time of each commit and maintenance step (the metrics, which sit above the
/// pipeline and read its state; declared here so the pipeline never depends on them).
/// </summary>
public interface IFlushObserver
{
    /// <summary>One batch of <paramref name="size"/> invocations committed in <paramref name="duration"/>.</summary>
    void RecordFlush(TimeSpan duration, int size);

    /// <summary>One maintenance step between batches took <paramref name="duration"/>.</summary>
    void RecordMaintenance(TimeSpan duration);
}
