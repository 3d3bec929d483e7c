using System.Collections.Concurrent;
using System.Text.Json;
using Ingest.Control;

namespace Ingest.Tests.Support;

/// <summary>
/// A fleet with no broker behind it (issue 27): every command is recorded, the workers named in
/// <see cref="Answering"/> reply <c>{"ok": ...}</c>, and those in <see cref="Silent"/> are reported missing, as a worker
/// that is down would be. <see cref="OnSend"/> lets a test make the command's effect visible (post the task-revoked
/// event a worker would send).
/// </summary>
public sealed class FakeFleetControl : IFleetControl
{
    private readonly ConcurrentQueue<ControlRequest> _sent = new();

    /// <summary>Workers that reply to every command.</summary>
    public IReadOnlyList<string> Answering { get; init; } = ["celery@w1"];

    /// <summary>Workers that never reply: named in <see cref="ControlResult.Missing"/>.</summary>
    public IReadOnlyList<string> Silent { get; init; } = [];

    /// <summary>Runs for each command before its replies are returned.</summary>
    public Func<ControlRequest, Task>? OnSend { get; set; }

    /// <summary>Every command sent, in order.</summary>
    public IReadOnlyCollection<ControlRequest> Sent => _sent;

    /// <inheritdoc/>
    public bool Available => true;

    /// <inheritdoc/>
    public async Task<ControlResult> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _sent.Enqueue(request);
        if (OnSend is { } hook)
        {
            await hook(request);
        }

        var wanted = request.Destination is { Count: > 0 } d ? d : [.. Answering, .. Silent];
        var replies = wanted.Where(Answering.Contains)
            .Select(w => new WorkerReply(w, JsonSerializer.SerializeToElement(new { ok = $"{request.Command} done" })))
            .ToList();
        return new ControlResult(replies, [.. wanted.Where(w => !Answering.Contains(w))]);
    }
}
