using Ingest.Web;
using Ingest.Tracking;

namespace Ingest.Endpoints;

/// <summary>One worker as the API shows it.</summary>
public sealed record WorkerView(
    string Hostname, string WorkerGroup, string Status, string? LastHeartbeatAt, double SecondsSinceSeen, double? HeartbeatIntervalS,
    int? Active, long? Processed, IReadOnlyList<double>? LoadAverage, string? SoftwareIdent, string? SoftwareVersion, string? SoftwareSystem,
    int? Pid, IReadOnlyList<string> Queues)
{
    public static WorkerView Of(WorkerInfo w, string group) => new(
        w.Hostname, group, w.Status, ApiTime.Format(w.LastHeartbeatAt), w.SecondsSinceSeen, w.HeartbeatIntervalSeconds,
        w.Active, w.Processed, w.LoadAverage, w.SoftwareIdent, w.SoftwareVersion, w.SoftwareSystem, w.Pid, w.Queues);
}
