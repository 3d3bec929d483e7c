using Ingest.Decoding;
using Ingest.Diagnostics;
using Ingest.Storage;

namespace Ingest.Tracking;

/// <summary>
/// Merges task events by task id and sends the invocation to the sink when an attempt ends (a terminal event).
/// The map is bounded: past <see cref="TrackerOptions.MaxTasks"/> the least recently updated task is written
/// with its last state and counted; a task idle past <see cref="TrackerOptions.IdleTimeout"/> likewise. Nothing
/// leaves the map unwritten. Finished tasks stay a short while for late events, and are the first to go at the cap
/// (they are already written, so that costs nothing).
/// Thread-safe: sources on several threads call <see cref="Apply"/>; one lock, held for a map update.
/// </summary>
public sealed class TaskTracker
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _tasks = new(StringComparer.Ordinal);
    // Both lists are in last-update order, oldest first, so expiry and eviction look only at their heads.
    private readonly LinkedList<Entry> _active = new();
    private readonly LinkedList<Entry> _finished = new();
    private readonly IInvocationSink _sink;
    private readonly IngestCounters _counters;
    private readonly TimeProvider _time;
    private readonly int _maxTasks;
    private readonly long _idleTicks;
    private readonly long _lingerTicks;

    private readonly Pipeline.MemoryBudget? _budget;

    /// <param name="options">The caps.</param>
    /// <param name="sink">Where invocations go (the channel).</param>
    /// <param name="counters">Early writes are counted here.</param>
    /// <param name="time">The clock for idle expiry.</param>
    /// <param name="budget">The byte budget the tracker keeps to its share of; none in tests of the merge alone.</param>
    public TaskTracker(TrackerOptions options, IInvocationSink sink, IngestCounters counters, TimeProvider time, Pipeline.MemoryBudget? budget = null)
    {
        _budget = budget;
        _sink = sink;
        _counters = counters;
        _time = time;
        _maxTasks = options.MaxTasks;
        _idleTicks = options.IdleTimeout.Ticks;
        _lingerTicks = options.FinishedLinger.Ticks;
    }

    // Published under the lock after each change and read without it, so probes never wait on the tracker.
    private int _publishedCount;
    private int _publishedInFlight;
    private long _publishedOldestTicks;

    /// <summary>Tasks tracked now (in flight and recently finished).</summary>
    public int Count => Volatile.Read(ref _publishedCount);

    /// <summary>Tasks that have not finished.</summary>
    public int InFlight => Volatile.Read(ref _publishedInFlight);

    /// <summary>Arrival time of the least recently updated in-flight task, or null when none.</summary>
    public DateTimeOffset? OldestInFlightSeen =>
        Volatile.Read(ref _publishedOldestTicks) is var t && t > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Merges one task event.</summary>
    public void Apply(CeleryEvent e)
    {
        var now = _time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            ExpireLocked(now);
            if (!_tasks.TryGetValue(e.Uuid!, out var entry))
            {
                entry = new Entry(new TaskMerge(e.Uuid!));
                _tasks.Add(entry.Merge.TaskId, entry);
                entry.Node = _active.AddLast(entry);
                EvictOverCapLocked();
            }

            var changed = entry.Merge.Apply(e);
            entry.LastSeenTicks = now;
            if (changed)
            {
                Account(entry, entry.Merge.EstimateBytes());
            }

            if (e.Type.IsTerminal() || (entry.Written && changed))
            {
                // Written again when a late event changes a finished task: the upsert merges it.
                entry.Written = true;
                _sink.Write(entry.Merge.ToRecord());
            }

            Touch(entry);
            EvictOverBudgetLocked();
            PublishLocked();
        }
    }

    /// <summary>The current merged state of a tracked task, or null.</summary>
    public InvocationRecord? TryGet(string taskId)
    {
        lock (_lock)
        {
            return _tasks.TryGetValue(taskId, out var entry) ? entry.Merge.ToRecord() : null;
        }
    }

    /// <summary>A snapshot of up to <paramref name="limit"/> in-flight tasks, most recently updated first.</summary>
    public IReadOnlyList<InvocationRecord> SnapshotInFlight(int limit)
    {
        lock (_lock)
        {
            var list = new List<InvocationRecord>(Math.Min(limit, _active.Count));
            for (var node = _active.Last; node is not null && list.Count < limit; node = node.Previous)
            {
                list.Add(node.Value.Merge.ToRecord());
            }

            return list;
        }
    }

    /// <summary>Writes idle tasks and forgets expired finished ones. Called on a timer so that quiet periods expire too.</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            ExpireLocked(now);
            PublishLocked();
        }
    }

    /// <summary>
    /// Writes every unfinished task with its last state and empties the map: at shutdown and at the end of a
    /// replay, so that a task that never finished (Celery's <c>Ignore</c>, a capture that ends mid-task) is still stored.
    /// </summary>
    public int FlushAll()
    {
        lock (_lock)
        {
            var written = 0;
            foreach (var entry in _active)
            {
                _counters.AddEarlyWrite(EarlyWriteReason.Shutdown);
                _sink.Write(entry.Merge.ToRecord());
                written++;
            }

            _active.Clear();
            _finished.Clear();
            foreach (var entry in _tasks.Values)
            {
                Account(entry, 0);
            }

            _tasks.Clear();
            PublishLocked();
            return written;
        }
    }

    private void PublishLocked()
    {
        Volatile.Write(ref _publishedCount, _tasks.Count);
        Volatile.Write(ref _publishedInFlight, _active.Count);
        Volatile.Write(ref _publishedOldestTicks, _active.First?.Value.LastSeenTicks ?? 0);
    }

    private void Touch(Entry entry)
    {
        var list = entry.Merge.IsReady ? _finished : _active;
        entry.Node!.List!.Remove(entry.Node);
        list.AddLast(entry.Node);
    }

    private void ExpireLocked(long now)
    {
        while (_finished.First is { } f && now - f.Value.LastSeenTicks >= _lingerTicks)
        {
            Remove(f.Value);
        }

        while (_active.First is { } a && now - a.Value.LastSeenTicks >= _idleTicks)
        {
            WriteEarly(a.Value, EarlyWriteReason.Idle);
        }
    }

    private void EvictOverCapLocked()
    {
        while (_tasks.Count > _maxTasks)
        {
            if (_finished.First is { } f)
            {
                Remove(f.Value);
            }
            else if (_active.First is { } a)
            {
                WriteEarly(a.Value, EarlyWriteReason.Capacity);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>
    /// Over its share of the byte budget, the tracker lets go of what it holds oldest first: finished tasks (already
    /// written, so that costs nothing), then in-flight ones, written with their last state as the task cap does.
    /// </summary>
    private void EvictOverBudgetLocked()
    {
        while (_budget is { TrackerOver: true })
        {
            _budget.MarkLimited();
            if (_finished.First is { } f)
            {
                Remove(f.Value);
            }
            else if (_active.First is { } a)
            {
                WriteEarly(a.Value, EarlyWriteReason.Memory);
            }
            else
            {
                return;
            }
        }
    }

    private void Account(Entry entry, long bytes)
    {
        _budget?.AddTracker(bytes - entry.Bytes);
        entry.Bytes = bytes;
    }

    private void WriteEarly(Entry entry, EarlyWriteReason reason)
    {
        _counters.AddEarlyWrite(reason);
        _sink.Write(entry.Merge.ToRecord());
        Remove(entry);
    }

    private void Remove(Entry entry)
    {
        entry.Node!.List!.Remove(entry.Node);
        _tasks.Remove(entry.Merge.TaskId);
        Account(entry, 0);
    }

    private sealed class Entry(TaskMerge merge)
    {
        public TaskMerge Merge { get; } = merge;

        public LinkedListNode<Entry>? Node { get; set; }

        public long LastSeenTicks { get; set; }

        /// <summary>Sent to the sink at least once (a terminal event was seen).</summary>
        public bool Written { get; set; }

        /// <summary>What it was last accounted at in the byte budget.</summary>
        public long Bytes { get; set; }
    }
}
