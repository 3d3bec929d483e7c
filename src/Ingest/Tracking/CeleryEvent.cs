using Ingest.Accounting;

namespace Ingest.Tracking;

/// <summary>
/// One decoded Celery event. Every text field is a plain string (args, kwargs and result stay Celery's
/// saferepr text, never parsed). Times are Unix epoch seconds as the publisher's clock gave them.
/// </summary>
public sealed class CeleryEvent
{
    public CeleryEventType Type { get; set; }
    public string? Uuid { get; set; }
    public string? Hostname { get; set; }

    /// <summary>Publisher's <c>time.time()</c>; replaced by the arrival time when missing or absurd (and counted).</summary>
    public double Timestamp { get; set; }

    public int? Pid { get; set; }
    public long? Clock { get; set; }
    public int? UtcOffset { get; set; }

    public string? Name { get; set; }
    public string? Args { get; set; }
    public string? Kwargs { get; set; }
    public string? Result { get; set; }
    public string? Exception { get; set; }
    public string? Traceback { get; set; }
    public string? RootId { get; set; }
    public string? ParentId { get; set; }
    public string? Queue { get; set; }
    public string? RoutingKey { get; set; }
    public string? Exchange { get; set; }
    public string? Eta { get; set; }
    public string? Expires { get; set; }
    public int? Retries { get; set; }
    public double? Runtime { get; set; }
    public bool? Terminated { get; set; }
    public bool? Expired { get; set; }
    public int? Signum { get; set; }
    public bool? Requeue { get; set; }

    public double? Freq { get; set; }
    public int? Active { get; set; }
    public long? Processed { get; set; }
    public double[]? LoadAverage { get; set; }
    public string? SoftwareIdent { get; set; }
    public string? SoftwareVersion { get; set; }
    public string? SoftwareSystem { get; set; }
}
