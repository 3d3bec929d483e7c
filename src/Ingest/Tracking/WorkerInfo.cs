namespace Ingest.Tracking;

/// <summary>What the worker-online/heartbeat/offline events say of one worker.</summary>
public sealed record WorkerInfo
{
    public required string Hostname { get; init; }

    /// <summary>online, offline (it said goodbye) or lost (heartbeats stopped).</summary>
    public required string Status { get; init; }

    /// <summary>Publisher's timestamp of the latest worker event.</summary>
    public double? LastHeartbeatAt { get; init; }

    /// <summary>Seconds since that event arrived here (measured on Ingest's clock, so worker clock skew does not matter).</summary>
    public double SecondsSinceSeen { get; init; }

    public double? HeartbeatIntervalSeconds { get; init; }
    public int? Active { get; init; }
    public long? Processed { get; init; }
    public double[]? LoadAverage { get; init; }
    public string? SoftwareIdent { get; init; }
    public string? SoftwareVersion { get; init; }
    public string? SoftwareSystem { get; init; }
    public int? Pid { get; init; }

    /// <summary>Queues its tasks came from, as task events told.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
}
