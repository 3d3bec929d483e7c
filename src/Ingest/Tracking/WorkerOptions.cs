using System.ComponentModel.DataAnnotations;

namespace Ingest.Tracking;

/// <summary>Bounds of the worker table.</summary>
public sealed class WorkerOptions
{
    /// <summary>Most workers remembered. Default 10000, range 1 to 1000000. Past it the longest-silent worker is forgotten (counted).</summary>
    [Range(1, 1_000_000)]
    public int MaxWorkers { get; set; } = 10_000;

    /// <summary>
    /// A worker whose last heartbeat is older than this many heartbeat intervals (<c>freq</c>) is reported lost.
    /// Default 3 (Celery itself uses 2), range 1 to 100. At least 10 s in all.
    /// </summary>
    [Range(1.0, 100.0)]
    public double LostAfterHeartbeats { get; set; } = 3;
}
