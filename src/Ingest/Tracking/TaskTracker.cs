using Ingest.Decoding;
using Ingest.Diagnostics;
using Ingest.Storage;
using Ingest.Storage.Checkpoint;

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

    // The checkpoint's bookkeeping, under the lock: entries changed since the last take, rows to delete once the
    // record that replaced them is gone from the channel, events applied and records emitted so far.
    private readonly List<Entry> _dirty = [];
    private readonly Dictionary<string, long> _pendingDeletes = new(StringComparer.Ordinal);
    private long _appliedSeq;
    private long _lastEmittedSeq;


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

    /// <summary>Merges one task event, and returns what is known of its task after it (for the per-task metrics).</summary>
    public TaskLabels Apply(CeleryEvent e)
    {
        var now = _time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            ExpireLocked(now);
            _appliedSeq++;
            if (!_tasks.TryGetValue(e.Uuid!, out var entry))
            {
                entry = Track(new TaskMerge(e.Uuid!));
                EvictOverCapLocked();
            }

            var changed = entry.Merge.Apply(e);
            entry.LastSeenTicks = now;
            if (changed)
            {
                Account(entry, entry.Merge.EstimateBytes());
                if (!entry.Merge.IsReady && !entry.Dirty)
                {
                    entry.Dirty = true;
                    entry.DirtySeq = _appliedSeq;
                    _dirty.Add(entry);
                    if (_dirty.Count > 2 * _maxTasks)
                    {
                        // No checkpoint taken for a long while (it is off, or the writer is stuck): keep the list to
                        // what is still tracked and unfinished, which the task cap bounds.
                        _dirty.RemoveAll(d => d.Node is null || d.Merge.IsReady);
                    }
                }
            }

            if (e.Type.IsTerminal() || (entry.Written && changed))
            {
                // Written again when a late event changes a finished task: the upsert merges it.
                entry.Written = true;
                var seq = Emit(entry);
                if (entry.Merge.IsReady)
                {
                    ReleaseCheckpoint(entry, seq);
                }
            }

            Touch(entry);
            EvictOverBudgetLocked();
            PublishLocked();
            return new TaskLabels(entry.Merge.Name, entry.Merge.Queue, entry.Merge.SentAt, entry.Merge.Eta is not null);
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
    /// <param name="keepCheckpoint">
    /// Keep the unfinished tasks in the checkpoint (serve: the next start restores them and their events go on
    /// merging). Without it (replay: a capture's unfinished tasks are history) their rows go once the records are
    /// written. A row is never released here for a record that might yet be dropped at shutdown.
    /// </param>
    public int FlushAll(bool keepCheckpoint = false)
    {
        lock (_lock)
        {
            var written = 0;
            foreach (var entry in _active)
            {
                _counters.AddEarlyWrite(EarlyWriteReason.Shutdown);
                // Its bytes leave the tracker before they enter the channel, so the budget never counts a task twice.
                Account(entry, 0);
                var seq = Emit(entry);
                if (keepCheckpoint)
                {
                    entry.KeepInCheckpoint = true;
                }
                else
                {
                    ReleaseCheckpoint(entry, seq);
                }

                written++;
            }

            _active.Clear();
            _finished.Clear();
            foreach (var entry in _tasks.Values)
            {
                Account(entry, 0);
                entry.Node = null;
            }

            if (!keepCheckpoint)
            {
                _dirty.Clear(); // every task was written: none of them is the checkpoint's any more
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
        ReleaseCheckpoint(entry, Emit(entry));
        Remove(entry);
    }

    private long Emit(Entry entry)
    {
        var seq = _sink.Write(entry.Merge.ToRecord());
        _lastEmittedSeq = seq;
        return seq;
    }

    private Entry Track(TaskMerge merge)
    {
        var entry = new Entry(merge);
        _tasks.Add(merge.TaskId, entry);
        entry.Node = _active.AddLast(entry);
        // A row from an earlier life of this task may still wait for its delete; the take decides (TakeCheckpoint).
        return entry;
    }

    /// <summary>
    /// The task's invocation went out as record <paramref name="seq"/>: its checkpoint row may go, but only in a
    /// checkpoint taken once that record is committed (or dropped, counted), so a crash between never loses both.
    /// </summary>
    private void ReleaseCheckpoint(Entry entry, long seq)
    {
        if (entry.Checkpointed)
        {
            _pendingDeletes[entry.Merge.TaskId] = seq;
            entry.Checkpointed = false;
        }
    }

    /// <summary>
    /// What the checkpoint must change (issue 13), taken under the lock: the merge state of every task that changed
    /// since the last take and is still unfinished, and the rows of tasks whose invocation was written at or before
    /// <paramref name="goneThroughSeq"/>. Tasks that started and finished between two takes never touch it.
    /// Also returns how far applied events are covered (<c>AppliedSeq</c>) once this delta is committed and every
    /// record up to <c>RecordSeq</c> is committed or dropped.
    /// </summary>
    /// <param name="goneThroughSeq">Every record up to this number is committed or dropped.</param>
    /// <param name="maxBytes">
    /// Most text one take serializes (the checkpoint is inside the memory budget too): what does not fit stays dirty
    /// for the next take, and the applied sequence returned then is the last one a take fully covered.
    /// </param>
    public (CheckpointDelta Delta, long AppliedSeq, long RecordSeq, bool Complete) TakeCheckpoint(long goneThroughSeq, long maxBytes = long.MaxValue)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        lock (_lock)
        {
            var upserts = new List<CheckpointRow>(Math.Min(_dirty.Count, 4096));
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var bytes = 0L;
            var remaining = new List<Entry>();
            foreach (var entry in _dirty)
            {
                if (entry.Merge.IsReady || (entry.Node is null && !entry.KeepInCheckpoint))
                {
                    entry.Dirty = false;
                    continue; // finished, or gone from the tracker: its record carries it
                }

                if (bytes >= maxBytes)
                {
                    remaining.Add(entry);
                    continue;
                }

                // A row of this task's earlier life waits for its record: overwriting it before that record is
                // committed would lose both in a crash. The entry waits, dirty, for a later take.
                if (_pendingDeletes.TryGetValue(entry.Merge.TaskId, out var waitingFor))
                {
                    if (waitingFor > goneThroughSeq)
                    {
                        remaining.Add(entry);
                        continue;
                    }

                    _pendingDeletes.Remove(entry.Merge.TaskId); // the upsert replaces that row
                }

                entry.Dirty = false;
                bytes += entry.Bytes;
                buffer.ResetWrittenCount();
                using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
                {
                    entry.Merge.WriteSnapshot(json);
                }

                upserts.Add(new CheckpointRow(entry.Merge.TaskId, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), now));
                entry.Checkpointed = true;
            }

            _dirty.Clear();
            _dirty.AddRange(remaining);
            // Applied events are covered up to just before the earliest change still waiting for a take.
            var covered = remaining.Count == 0 ? _appliedSeq : remaining.Min(e => e.DirtySeq) - 1;

            List<string>? deletes = null;
            foreach (var (id, seq) in _pendingDeletes)
            {
                if (seq <= goneThroughSeq)
                {
                    (deletes ??= []).Add(id);
                }
            }

            foreach (var id in deletes ?? [])
            {
                _pendingDeletes.Remove(id);
            }

            return (new CheckpointDelta(upserts, deletes ?? []), covered, _lastEmittedSeq, remaining.Count == 0);
        }
    }

    /// <summary>The task cap (restore reads at most this many rows).</summary>
    public int MaxTasks => _maxTasks;

    /// <summary>A checkpoint that failed to commit: what it took is to be written again by the next one.</summary>
    public void Recheckpoint(CheckpointDelta failed)
    {
        lock (_lock)
        {
            foreach (var row in failed.Upserts)
            {
                if (_tasks.TryGetValue(row.TaskId, out var entry) && !entry.Merge.IsReady && !entry.Dirty)
                {
                    // Its changes are not durable: the coverage stays below them until a take commits them.
                    entry.Dirty = true;
                    entry.DirtySeq = 0;
                    _dirty.Add(entry);
                }
            }

            foreach (var id in failed.Deletes)
            {
                // Their records were gone already; a live entry of the same task supersedes the delete in its take.
                _pendingDeletes.TryAdd(id, 0);
            }
        }
    }

    /// <summary>Events applied so far (the AMQP source maps deliveries to it).</summary>
    public long AppliedSeq
    {
        get
        {
            lock (_lock)
            {
                return _appliedSeq;
            }
        }
    }

    /// <summary>
    /// Puts checkpointed tasks back, before any source opens (issue 13). Oldest first, under the caps: past
    /// <see cref="TrackerOptions.MaxTasks"/> or the memory share the oldest are written early, as at run time.
    /// A row that does not parse is skipped and counted. Returns the tasks restored.
    /// </summary>
    public int Restore(IReadOnlyList<CheckpointRow> newestFirst)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var restored = 0;
        lock (_lock)
        {
            for (var i = newestFirst.Count - 1; i >= 0; i--)
            {
                var row = newestFirst[i];
                TaskMerge merge;
                try
                {
                    using var doc = System.Text.Json.JsonDocument.Parse(row.State);
                    merge = TaskMerge.ReadSnapshot(row.TaskId, doc.RootElement);
                }
                catch (System.Text.Json.JsonException)
                {
                    RestoreFailed++;
                    _pendingDeletes.TryAdd(row.TaskId, 0); // unreadable: let the next checkpoint remove it
                    continue;
                }

                if (_tasks.ContainsKey(row.TaskId))
                {
                    continue;
                }

                var entry = Track(merge);
                entry.Checkpointed = true;
                entry.LastSeenTicks = now;
                Account(entry, merge.EstimateBytes());
                restored++;
                EvictOverCapLocked();
                EvictOverBudgetLocked();
            }

            PublishLocked();
        }

        Restored += restored;
        return restored;
    }

    /// <summary>Tasks restored from the checkpoint at start.</summary>
    public int Restored { get; private set; }

    /// <summary>Checkpoint rows that could not be read back.</summary>
    public int RestoreFailed { get; private set; }

    private void Remove(Entry entry)
    {
        entry.Node!.List!.Remove(entry.Node);
        entry.Node = null;
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

        /// <summary>Changed since the last checkpoint was taken (and listed in the tracker's dirty list).</summary>
        public bool Dirty { get; set; }

        /// <summary>Has a row in the checkpoint table (or will once the take that wrote it commits).</summary>
        public bool Checkpointed { get; set; }

        /// <summary>The applied sequence when it became dirty: applied events are durable only below it until taken.</summary>
        public long DirtySeq { get; set; }

        /// <summary>Written at shutdown but kept in the checkpoint for the next start (serve).</summary>
        public bool KeepInCheckpoint { get; set; }
    }
}

/// <summary>What the tracker knows of a task after one of its events: its name, queue, send time, and whether it had an ETA.</summary>
public readonly record struct TaskLabels(string? Name, string? Queue, double? SentAt, bool HasEta);
