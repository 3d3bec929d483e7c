using System.Diagnostics.Metrics;
using System.Text.Json;
using Ingest.Control;
using Ingest.Diagnostics;
using Ingest.Storage.Audit;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// Records each control request's outcome (issue 27): an <see cref="AuditEntry"/> queued for the writer, and one count
/// on <c>ingest.control.actions</c> tagged with the outcome (counted here, so an entry the full queue drops is still
/// counted).
/// </summary>
public sealed class ControlAudit
{
    private readonly AuditBuffer _queue;
    private readonly TimeProvider _time;
    private readonly Counter<long> _actions;

    public ControlAudit(AuditBuffer queue, TimeProvider time, IMeterFactory meters)
    {
        _queue = queue;
        _time = time;
        var meter = meters.Create(IngestMetrics.MeterName);
        _actions = meter.CreateCounter<long>("ingest.control.actions", description: "Control requests (Flower API) by outcome: done, failed, refused, unauthenticated, invalid, unavailable.");
        meter.CreateObservableGauge("ingest.control.audit_dropped", () => _queue.Dropped + _queue.Failed,
            description: "Audit entries lost: dropped oldest-first from the full queue, or not written.");
    }

    /// <summary>Records one request: who (null without a credential), what, on what, how it ended, and the replies if it was sent.</summary>
    public void Record(HttpContext http, string action, string? target, string arguments, string outcome, int status, string? reason, ControlResult? result = null)
    {
        var user = http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null;
        string? replies = null;
        string? missing = null;
        if (result is not null)
        {
            replies = JsonSerializer.Serialize(RepliesOf(result));
            missing = JsonSerializer.Serialize(result.Missing);
        }

        _queue.Add(new AuditEntry(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, user, action, target, arguments, outcome, status, reason, replies, missing));
        _actions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>The replies as Flower's UI reads them: one entry per worker (the last reply of a worker that answered twice).</summary>
    public static IReadOnlyDictionary<string, JsonElement> RepliesOf(ControlResult result)
    {
        var replies = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var reply in result.Replies)
        {
            replies[reply.Worker] = reply.Body;
        }

        return replies;
    }
}
