namespace Ingest.Storage.Workers;

/// <summary>
/// Worker states waiting for the one writer (the flush loop writes them between batches, issue 25), coalesced: a
/// worker's newer state replaces its waiting one, so a worker costs one write per flush however often it beats.
/// Bounded in workers; past <see cref="Capacity"/> the waiting state seen longest ago is dropped and counted
/// (<see cref="Dropped"/>). Also hands the states read back at start to the registry, whichever comes first.
/// Thread-safe.
/// </summary>
public sealed class WorkerStateBuffer
{
    /// <summary>Workers waiting at most (the registry's default bound).</summary>
    public const int Capacity = 10_000;

    private readonly object _lock = new();
    private readonly object _restoreLock = new();
    private readonly Dictionary<string, WorkerStateRow> _waiting = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private IReadOnlyList<WorkerStateRow>? _restored;
    private Action<IReadOnlyList<WorkerStateRow>>? _onRestore;
    private long _dropped;
    private long _failed;

    /// <param name="capacity">Workers waiting at most (tests use a small one).</param>
    public WorkerStateBuffer(int capacity = Capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Workers whose state waits to be written.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>States dropped, least recently seen first, because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>States the writer could not write (counted, not retried: the next heartbeat brings a newer one).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Keeps the worker's newest state for the next write; drops the least recently seen when full.</summary>
    public void Put(WorkerStateRow row)
    {
        lock (_lock)
        {
            if (!_waiting.ContainsKey(row.Hostname) && _waiting.Count >= _capacity)
            {
                var oldest = _waiting.Values.MinBy(r => r.LastSeenAt)!;
                _waiting.Remove(oldest.Hostname);
                Interlocked.Increment(ref _dropped);
            }

            _waiting[row.Hostname] = row;
        }
    }

    /// <summary>Takes every waiting state.</summary>
    public IReadOnlyList<WorkerStateRow> TakeAll()
    {
        lock (_lock)
        {
            var taken = _waiting.Values.ToList();
            _waiting.Clear();
            return taken;
        }
    }

    /// <summary>Counts states the writer failed to store.</summary>
    public void MarkFailed(int count) => Interlocked.Add(ref _failed, count);

    /// <summary>
    /// The states read back from storage at start. Handed to the registry now if it is subscribed, else when it
    /// subscribes: the flush loop restores before the sources start, but the registry may be built later.
    /// </summary>
    public void Restore(IReadOnlyList<WorkerStateRow> rows)
    {
        lock (_restoreLock)
        {
            _restored = rows;
            _onRestore?.Invoke(rows);
        }
    }

    /// <summary>Subscribes the registry to the restored states; called at once if they were already read.</summary>
    public void OnRestore(Action<IReadOnlyList<WorkerStateRow>> handler)
    {
        lock (_restoreLock)
        {
            _onRestore = handler;
            if (_restored is not null)
            {
                handler(_restored);
            }
        }
    }
}
