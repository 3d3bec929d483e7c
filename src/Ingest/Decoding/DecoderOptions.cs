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

    /// <summary>
    /// How far past its arrival an event's timestamp may lie; beyond it the arrival time is used, counted as
    /// <c>timestamp_out_of_range</c>. Default 5 minutes: worker clocks drift by seconds, and a sender that dates
    /// events hours ahead would otherwise win every merge against the real ones. Range 0 to 1 day: partitions are
    /// made up to tomorrow and no further (issue 24: up to a year made a year of future days retention never reached).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Days retention keeps (<c>Ingest:Retention:Days</c>, set by the host when retention drops days): an event dated
    /// before the first of them, counted back from its arrival's day, is re-dated to its arrival and counted as
    /// <c>timestamp_out_of_range</c>. 0: only times before 2000 are. Not a setting of its own.
    /// </summary>
    public int RetentionDays { get; internal set; }

    /// <summary>
    /// Comma-separated words; a key in args, kwargs or result whose name contains one (case-insensitive) has its
    /// value masked before it is stored, indexed or streamed. Empty or <c>none</c> turns redaction off.
    /// </summary>
    public string? RedactKeys { get; set; } = Redactor.DefaultKeys;
}
