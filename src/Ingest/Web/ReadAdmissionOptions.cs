using System.ComponentModel.DataAnnotations;

namespace Ingest.Web;

/// <summary>How many heavy reads (lists, stats, search, failures, facets) run at once, and how long others wait. Section <c>Ingest:Reads</c>.</summary>
public sealed class ReadAdmissionOptions
{
    /// <summary>Heavy reads running at once. Default twice the cores, at least 2 and at most 8; range 1 to 256.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = DefaultConcurrency;

    /// <summary>Heavy reads that may wait for a slot; one more is refused at once (503). Default 16, range 0 to 10000.</summary>
    [Range(0, 10_000)]
    public int QueueLength { get; set; } = 16;

    /// <summary>Longest wait for a slot before a read is refused (503). Default 10 s, range 0.1 s to 5 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Twice the cores the process may use (a container's CPU limit included), between 2 and 8: reads are SQLite work on
    /// request threads, and more at once than the cores can serve only adds memory, not answers.
    /// </summary>
    public static int DefaultConcurrency => Math.Clamp(2 * Environment.ProcessorCount, 2, 8);
}
