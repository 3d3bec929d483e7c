namespace Ingest.Storage.Workers;

/// <summary>
/// The last known state of one worker, as stored in its day's <c>workers_YYYYMMDD</c> table (issue 25): what the
/// worker-online/heartbeat/offline events said, and when Ingest last heard from it on its own clock.
/// </summary>
public sealed record WorkerStateRow
{
    /// <summary>The worker's hostname (celery@host): the row's key within a day.</summary>
    public required string Hostname { get; init; }

    /// <summary>True once the worker said goodbye (worker-offline).</summary>
    public bool Offline { get; init; }

    /// <summary>Publisher's timestamp of the latest worker event (Unix seconds); null if none was dated.</summary>
    public double? LastHeartbeatAt { get; init; }

    /// <summary>When that event arrived, on Ingest's clock (Unix seconds): the registry judges "lost" from it.</summary>
    public required double LastSeenAt { get; init; }

    /// <summary>Heartbeat interval the worker announced, in seconds.</summary>
    public double? Freq { get; init; }

    /// <summary>Tasks the worker was running.</summary>
    public int? Active { get; init; }

    /// <summary>Tasks the worker had processed since it started.</summary>
    public long? Processed { get; init; }

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public IReadOnlyList<double>? LoadAverage { get; init; }

    /// <summary>sw_ident of the worker's events.</summary>
    public string? SoftwareIdent { get; init; }

    /// <summary>sw_ver of the worker's events.</summary>
    public string? SoftwareVersion { get; init; }

    /// <summary>sw_sys of the worker's events.</summary>
    public string? SoftwareSystem { get; init; }

    /// <summary>The worker's process id.</summary>
    public int? Pid { get; init; }

    /// <summary>Queues its tasks came from.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
}
