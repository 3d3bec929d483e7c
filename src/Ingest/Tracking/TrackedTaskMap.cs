using Ingest.Accounting;
using Ingest.Storage;

namespace Ingest.Tracking;

/// <summary>
/// The tracker's tasks by id, in two last-update orders (in flight; finished and lingering for late events), kept
/// to their caps: past <see cref="TrackerOptions.MaxTasks"/> or the tracker's share of the memory budget the
/// oldest go, finished ones first (already written, so that costs nothing), then in-flight ones written early
/// with their last state; a task idle past <see cref="TrackerOptions.IdleTimeout"/> is written early too, and a
/// finished one is forgotten after <see cref="TrackerOptions.FinishedLinger"/>. Nothing leaves unwritten: the
/// early write is the tracker's. Not thread-safe: called under the tracker's lock.
/// </summary>
internal sealed class TrackedTaskMap
{
    private readonly Dictionary<string, TrackedEntry> _tasks = new(StringComparer.Ordinal);
    // Both lists are in last-update order, oldest first, so expiry and eviction look only at their heads.
    private readonly TrackedEntryList _active = new();
    private readonly TrackedEntryList _finished = new();
    private readonly MemoryBudget? _budget;
    private readonly int _maxTasks;
    private readonly long _idleTicks;
    private readonly long _lingerTicks;
    private readonly Action<TrackedEntry, EarlyWriteReason> _writeEarly;
    private readonly bool _freeze;
    private readonly int _freezeAbove;
    private readonly long _frozenBytes;

    /// <param name="options">The caps.</param>
    /// <param name="budget">The byte budget the map keeps to the tracker's share of; none in tests of the merge alone.</param>
    /// <param name="writeEarly">Writes an in-flight task with its last state, counted, and removes it.</param>
    public TrackedTaskMap(TrackerOptions options, MemoryBudget? budget, Action<TrackedEntry, EarlyWriteReason> writeEarly)
    {
        _budget = budget;
        _maxTasks = options.MaxTasks;
        _idleTicks = options.IdleTimeout.Ticks;
        _lingerTicks = options.FinishedLinger.Ticks;
        _writeEarly = writeEarly;
        _freeze = options.FreezeFinished;
        _freezeAbove = options.FreezeFinishedAbove;
        // Finished tasks wait out their linger frozen (issue 29), in at most five eighths of the tracker's share of the
        // budget: the budget still counts each at its merge's estimate, about twice its frozen form (UTF-8, no
        // objects); the rest is room for chunks that a long-lingering task keeps from reuse. Half was seen full.
        _frozenBytes = budget is null ? 32L << 20 : budget.TrackerLimitBytes / 8 * 5;
    }

    /// <summary>Where finished tasks' merges are frozen while they linger; made with the first one frozen.</summary>
    public FrozenTaskStore? Frozen { get; private set; }

    /// <summary>Tasks in the map, in flight and finished.</summary>
    public int Count => _tasks.Count;

    /// <summary>Tasks that have not finished.</summary>
    public int InFlightCount => _active.Count;

    /// <summary>Arrival time of the least recently updated in-flight task, or 0 when none.</summary>
    public long OldestInFlightTicks => _active.First?.LastSeenTicks ?? 0;

    /// <summary>The unfinished tasks, least recently updated first.</summary>
    public IEnumerable<TrackedEntry> InFlight => _active;

    /// <summary>The tracked task of this id, if any.</summary>
    public bool TryGet(string taskId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TrackedEntry entry) =>
        _tasks.TryGetValue(taskId, out entry);

    public bool Contains(string taskId) => _tasks.ContainsKey(taskId);

    /// <summary>Adds a task as the most recently updated in-flight one.</summary>
    public TrackedEntry Track(TaskMerge merge)
    {
        var entry = new TrackedEntry(merge);
        _tasks.Add(merge.TaskId, entry);
        _active.AddLast(entry);
        // A row from an earlier life of this task may still wait for its delete; the take decides (TakeCheckpoint).
        return entry;
    }

    /// <summary>
    /// Moves a task to the end of its list, which its merge decides (finished or not); a finished one is frozen
    /// there until a late event or its removal.
    /// </summary>
    public void Touch(TrackedEntry entry)
    {
        var finished = entry.IsReady;
        entry.List!.Remove(entry);
        (finished ? _finished : _active).AddLast(entry);
        if (finished && _freeze && _finished.Count > _freezeAbove)
        {
            entry.Freeze(Frozen ??= new FrozenTaskStore(_frozenBytes));
        }
    }

    /// <summary>Forgets finished tasks past their linger, and writes early the tasks idle past the timeout.</summary>
    public void Expire(long now)
    {
        while (_finished.First is { } f && now - f.LastSeenTicks >= _lingerTicks)
        {
            Remove(f);
        }

        while (_active.First is { } a && now - a.LastSeenTicks >= _idleTicks)
        {
            _writeEarly(a, EarlyWriteReason.Idle);
        }
    }

    /// <summary>Past the task cap, lets go of the oldest tasks (finished ones first) until the map is within it.</summary>
    public void EvictOverCap()
    {
        while (_tasks.Count > _maxTasks && LetGoOfTheOldest(EarlyWriteReason.Capacity))
        {
            // one task let go per turn
        }
    }

    /// <summary>
    /// Over its share of the byte budget, the tracker lets go of what it holds oldest first: finished tasks (already
    /// written, so that costs nothing), then in-flight ones, written with their last state as the task cap does.
    /// </summary>
    public void EvictOverBudget()
    {
        while (_budget is { TrackerOver: true })
        {
            _budget.MarkLimited();
            if (!LetGoOfTheOldest(EarlyWriteReason.Memory))
            {
                return;
            }
        }
    }

    /// <summary>Accounts the task at <paramref name="bytes"/> in the byte budget.</summary>
    public void Account(TrackedEntry entry, long bytes)
    {
        _budget?.AddTracker(bytes - entry.Bytes);
        entry.Bytes = bytes;
    }

    /// <summary>Takes the task out of the map, and its bytes out of the budget.</summary>
    public void Remove(TrackedEntry entry)
    {
        entry.List!.Remove(entry);
        entry.LeaveMap();
        _tasks.Remove(entry.TaskId);
        Account(entry, 0);
    }

    /// <summary>Empties the map (at shutdown, after the in-flight tasks were written): every task leaves it.</summary>
    public void Clear()
    {
        _active.Clear();
        _finished.Clear();
        foreach (var entry in _tasks.Values)
        {
            Account(entry, 0);
            entry.LeaveMap();
        }

        _tasks.Clear();
    }

    /// <summary>
    /// Forgets the oldest finished task, or else writes the oldest in-flight one early for <paramref name="reason"/>.
    /// False when the map is empty.
    /// </summary>
    private bool LetGoOfTheOldest(EarlyWriteReason reason)
    {
        if (_finished.First is { } f)
        {
            Remove(f);
            return true;
        }

        if (_active.First is { } a)
        {
            _writeEarly(a, reason);
            return true;
        }

        return false;
    }
}
