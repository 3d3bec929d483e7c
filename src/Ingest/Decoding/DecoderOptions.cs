using System.ComponentModel.DataAnnotations;

namespace Ingest.Decoding;

/// <summary>Limits the decoder enforces on untrusted bodies.</summary>
public sealed class DecoderOptions
{
    /// <summary>Largest body accepted, in bytes. Default 8 MiB, range 1 KiB to 256 MiB. Celery's own bodies stay under a few KiB.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Longest text field kept, in characters; longer ones are cut and marked. Default 32768, range 256 to 1048576.
    /// Celery already cuts args and results near 1 KiB, but tracebacks are not cut.
    /// </summary>
    [Range(256, 1048576)]
    public int MaxFieldChars { get; set; } = 32 * 1024;

    /// <summary>How far past the arrival time an event timestamp may lie before it counts as absurd. Default 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromDays(1);
}
