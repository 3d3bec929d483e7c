using System.ComponentModel.DataAnnotations;

namespace Ingest.Sources.Queues;

/// <summary>Sampling of broker queue lengths (issue 16): what is waiting for a worker, beside what the events tell.</summary>
public sealed class QueueSamplingOptions
{
    /// <summary>Time between samples. Default 15 s, range 1 s to 1 h; <c>0</c> turns sampling off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Queues always sampled, comma-separated. Default <c>celery</c> (Celery's default queue); the queues named in
    /// task events are added as they are seen.
    /// </summary>
    public string Queues { get; set; } = "celery";

    /// <summary>Most queues sampled; queues seen beyond it are counted, not sampled. Default 100, range 1 to 1000.</summary>
    [Range(1, 1000)]
    public int MaxQueues { get; set; } = 100;

    /// <summary>Longest a whole sample of every queue may take before it is given up (and counted). Default 5 s, range 100 ms to 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> ConfiguredQueues => Queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
