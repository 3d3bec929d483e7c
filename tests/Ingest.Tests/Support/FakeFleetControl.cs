using System.Collections.Concurrent;
using System.Text.Json;
using Ingest.Control;

namespace Ingest.Tests.Support;

/// <summary>
/// A fleet that records each command and answers from a script: by default every named worker (or
/// <see cref="Workers"/> for a broadcast) replies <c>{"ok": "done"}</c>. No broker is involved.
/// </summary>
public sealed class FakeFleetControl : IFleetControl
{
    /// <summary>The workers a broadcast reaches.</summary>
    public IReadOnlyList<string> Workers { get; init; } = ["celery@worker1", "celery@worker2"];

    /// <summary>The reply of a worker to a request; null: the worker does not answer.</summary>
    public Func<ControlRequest, string, JsonElement?> Reply { get; set; } = (_, _) => JsonSerializer.SerializeToElement(new { ok = "done" });

    /// <summary>Every request, in order.</summary>
    public ConcurrentQueue<ControlRequest> Requests { get; } = new();

    public bool Available { get; set; } = true;

    public Task<ControlResult> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        var targets = request.Destination is { Count: > 0 } named ? named : Workers;
        var replies = new List<WorkerReply>();
        var missing = new List<string>();
        foreach (var worker in targets)
        {
            if (!request.ExpectReply)
            {
                continue;
            }

            if (Reply(request, worker) is { } body)
            {
                replies.Add(new WorkerReply(worker, body));
            }
            else
            {
                missing.Add(worker);
            }
        }

        return Task.FromResult(new ControlResult(replies, missing));
    }
}
