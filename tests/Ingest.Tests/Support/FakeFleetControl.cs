using System.Collections.Concurrent;
using System.Text.Json;
using Ingest.Control;

namespace Ingest.Tests.Support;

/// <summary>
/// A fleet with no broker behind it (issue 27): every command is recorded and answered from a script. By default
/// every named worker (or every one of <see cref="Workers"/> for a broadcast) replies <c>{"ok": "done"}</c>; a worker
/// whose <see cref="Reply"/> is null is reported missing, as a worker that is down would be. <see cref="OnSend"/> lets
/// a test make the command's effect visible (post the task-revoked event a worker would send).
/// </summary>
public sealed class FakeFleetControl : IFleetControl
{
    /// <summary>The workers a broadcast reaches.</summary>
    public IReadOnlyList<string> Workers { get; init; } = ["celery@worker1", "celery@worker2"];

    /// <summary>The reply of a worker to a request; null: the worker does not answer.</summary>
    public Func<ControlRequest, string, JsonElement?> Reply { get; set; } = (_, _) => JsonSerializer.SerializeToElement(new { ok = "done" });

    /// <summary>Runs for each command before its replies are returned.</summary>
    public Func<ControlRequest, Task>? OnSend { get; set; }

    /// <summary>Every request, in order.</summary>
    public ConcurrentQueue<ControlRequest> Requests { get; } = new();

    /// <summary>Every request, in order (read-only view of <see cref="Requests"/>).</summary>
    public IReadOnlyCollection<ControlRequest> Sent => Requests;

    /// <inheritdoc/>
    public bool Available { get; set; } = true;

    /// <summary>A fleet where <paramref name="answering"/> reply <c>{"ok": "COMMAND done"}</c> and <paramref name="silent"/> never do.</summary>
    public static FakeFleetControl With(IReadOnlyList<string> answering, IReadOnlyList<string> silent) => new()
    {
        Workers = [.. answering, .. silent],
        Reply = (r, w) => answering.Contains(w) ? JsonSerializer.SerializeToElement(new { ok = $"{r.Command} done" }) : null,
    };

    /// <inheritdoc/>
    public async Task<ControlResult> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Requests.Enqueue(request);
        if (OnSend is { } hook)
        {
            await hook(request);
        }

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

        return new ControlResult(replies, missing);
    }
}
