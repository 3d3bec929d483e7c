namespace Ingest.Security;

/// <summary>
/// The sessions signed out before their end (issue 24): a cookie is a self-contained signed ticket, so without a
/// list on the server a copy of it kept reading after sign-out. An entry is kept only until the session would have
/// ended anyway (its sign-in plus <c>--session-max-hours</c>). At most <see cref="MaxEntries"/> are kept; past that
/// the one ending first is let go, and so that it cannot come back, every session ending no later than it is
/// refused from then on (those users sign in again: closed, not open, when full). In memory: per process, emptied
/// by a restart. Thread-safe.
/// </summary>
public sealed class SignedOutSessions
{
    public const int MaxEntries = 10_000;

    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _ends = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _byEnd = new();
    private DateTimeOffset _refusedThrough = DateTimeOffset.MinValue;
    private long _evicted;

    public SignedOutSessions(TimeProvider time, int capacity = MaxEntries)
    {
        _time = time;
        _capacity = capacity;
    }

    /// <summary>Entries let go because the list was full.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Sessions on the list now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ends.Count;
            }
        }
    }

    /// <summary>Puts a session on the list until <paramref name="end"/>, when it would have ended anyway.</summary>
    public void Add(string sessionId, DateTimeOffset end)
    {
        var now = _time.GetUtcNow();
        if (end <= now)
        {
            return;
        }

        lock (_lock)
        {
            DropEnded(now);
            if (!_ends.TryAdd(sessionId, end))
            {
                return;
            }

            _byEnd.Enqueue(sessionId, end);
            if (_ends.Count > _capacity && _byEnd.TryDequeue(out var first, out var firstEnd))
            {
                _ends.Remove(first);
                if (firstEnd > _refusedThrough)
                {
                    _refusedThrough = firstEnd;
                }

                Interlocked.Increment(ref _evicted);
            }
        }
    }

    /// <summary>True when this session was signed out, or ends no later than one let go from a full list.</summary>
    public bool Contains(string sessionId, DateTimeOffset end)
    {
        lock (_lock)
        {
            return end <= _refusedThrough || _ends.ContainsKey(sessionId);
        }
    }

    private void DropEnded(DateTimeOffset now)
    {
        while (_byEnd.TryPeek(out var id, out var end) && end <= now)
        {
            _byEnd.Dequeue();
            _ends.Remove(id);
        }
    }
}
