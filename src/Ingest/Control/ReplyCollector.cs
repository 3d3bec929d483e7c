using System.Text.Json;

namespace Ingest.Control;

/// <summary>
/// Gathers the replies to one command. A reply body is <c>{hostname: value}</c> (kombu's <c>Node.dispatch</c>); a
/// reply carrying another ticket is ignored. Bounded by count and bytes: past either cap the oldest replies are
/// dropped and counted, and the workers that sent them still count as having answered. Completes early once every
/// named destination has answered; a broadcast waits for the deadline, as Celery does, since workers Ingest has not
/// heard of may answer too. Thread-safe: the broker's consumer offers while the caller waits.
/// </summary>
internal sealed class ReplyCollector
{
    private readonly object _lock = new();
    private readonly string _ticket;
    private readonly int _maxReplies;
    private readonly long _maxBytes;
    private readonly HashSet<string> _expected;
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly bool _completeWhenExpectedAnswered;
    private readonly Queue<(WorkerReply Reply, long Bytes)> _replies = new();
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private int _dropped;

    /// <summary>
    /// A collector for <paramref name="ticket"/>. <paramref name="expected"/> are the workers that should answer:
    /// the destinations (then <paramref name="destinationsNamed"/> is true and the collector completes when all have
    /// answered), or for a broadcast the workers known online.
    /// </summary>
    public ReplyCollector(string ticket, IEnumerable<string> expected, bool destinationsNamed, int maxReplies, long maxBytes)
    {
        _ticket = ticket;
        _expected = new HashSet<string>(expected, StringComparer.Ordinal);
        _completeWhenExpectedAnswered = destinationsNamed;
        _maxReplies = maxReplies;
        _maxBytes = maxBytes;
        if (destinationsNamed && _expected.Count == 0)
        {
            _complete.TrySetResult();
        }
    }

    /// <summary>Completes when every named destination has answered (never for a broadcast).</summary>
    public Task Completed => _complete.Task;

    /// <summary>Replies dropped over the caps (or unreadable) so far.</summary>
    public int Dropped
    {
        get
        {
            lock (_lock)
            {
                return _dropped;
            }
        }
    }

    /// <summary>
    /// Takes one reply message. <paramref name="ticket"/> is its <c>ticket</c> header (null when absent: kombu before
    /// 2.5 sent none, and the reply queue is this command's own).
    /// </summary>
    public void Offer(ReadOnlySpan<byte> body, string? ticket)
    {
        if (ticket is not null && ticket != _ticket)
        {
            return;
        }

        List<(WorkerReply, long)> parsed = [];
        if (body.Length > _maxBytes || !TryParse(body, parsed))
        {
            lock (_lock)
            {
                _dropped++;
            }

            return;
        }

        lock (_lock)
        {
            foreach (var (reply, bytes) in parsed)
            {
                _answered.Add(reply.Worker);
                _replies.Enqueue((reply, bytes));
                _bytes += bytes;
                while (_replies.Count > _maxReplies || _bytes > _maxBytes)
                {
                    _bytes -= _replies.Dequeue().Bytes;
                    _dropped++;
                }
            }

            if (_completeWhenExpectedAnswered && _expected.IsSubsetOf(_answered))
            {
                _complete.TrySetResult();
            }
        }
    }

    /// <summary>The replies kept, in arrival order, and the expected workers that did not answer (sorted).</summary>
    public ControlResult Result()
    {
        lock (_lock)
        {
            var missing = _expected.Where(w => !_answered.Contains(w)).Order(StringComparer.Ordinal).ToList();
            return new ControlResult([.. _replies.Select(r => r.Reply)], missing) { Dropped = _dropped };
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> body, List<(WorkerReply, long)> parsed)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            foreach (var worker in doc.RootElement.EnumerateObject())
            {
                var raw = worker.Value.GetRawText();
                parsed.Add((new WorkerReply(worker.Name, worker.Value.Clone()), System.Text.Encoding.UTF8.GetByteCount(raw) + worker.Name.Length));
            }

            return parsed.Count > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
