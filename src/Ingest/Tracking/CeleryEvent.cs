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

    /// <summary>Heartbeat interval, seconds (worker events).</summary>
    public double? Freq { get => _worker?.Freq; set => Worker.Freq = value; }

    /// <summary>Tasks the worker is running (worker events).</summary>
    public int? Active { get => _worker?.Active; set => Worker.Active = value; }

    /// <summary>Tasks the worker has run (worker events).</summary>
    public long? Processed { get => _worker?.Processed; set => Worker.Processed = value; }

    /// <summary>The worker host's load average (worker events).</summary>
    public double[]? LoadAverage { get => _worker?.LoadAverage; set => Worker.LoadAverage = value; }

    /// <summary>Worker software name (worker events).</summary>
    public string? SoftwareIdent { get => _worker?.SoftwareIdent; set => Worker.SoftwareIdent = value; }

    /// <summary>Worker software version (worker events).</summary>
    public string? SoftwareVersion { get => _worker?.SoftwareVersion; set => Worker.SoftwareVersion = value; }

    /// <summary>Worker operating system (worker events).</summary>
    public string? SoftwareSystem { get => _worker?.SoftwareSystem; set => Worker.SoftwareSystem = value; }

    // The heartbeat fields live apart, made when a worker event sets one: a task event (nearly every event) is then
    // 64 B smaller, and events were a quarter of the producer's bytes (issue 29).
    private WorkerFields? _worker;

    private WorkerFields Worker => _worker ??= new WorkerFields();

    private sealed class WorkerFields
    {
        public double? Freq;
        public int? Active;
        public long? Processed;
        public double[]? LoadAverage;
        public string? SoftwareIdent;
        public string? SoftwareVersion;
        public string? SoftwareSystem;
    }
}
