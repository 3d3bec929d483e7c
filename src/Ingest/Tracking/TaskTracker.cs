using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Checkpoint;

namespace Ingest.Tracking;

/// <summary>
/// Merges task events by task id and sends the invocation to the sink when an attempt ends (a terminal event).
/// The map is bounded: past <see cref="TrackerOptions.MaxTasks"/> the least recently updated task is written
/// with its last state and counted; a task idle past <see cref="TrackerOptions.IdleTimeout"/> likewise. Nothing
/// leaves the map unwritten. Finished tasks stay a short while for late events, and are the first to go at the cap
/// (they are already written, so that costs nothing).
/// Thread-safe: sources on several threads call <see cref="Apply"/>; one lock, held for a map update. The map and
/// its caps are <see cref="TrackedTaskMap"/>'s, the checkpoint's bookkeeping <see cref="TrackerCheckpoint"/>'s.
/// </summary>
public sealed class TaskTracker : IInFlightTasks
{
    private readonly object _lock = new();
    private readonly TrackedTaskMap _map;
    private readonly TrackerCheckpoint _checkpoint;
    private readonly IInvocationSink _sink;
    private readonly IngestCounters _counters;
    private readonly TimeProvider _time;
    private readonly int _maxTasks;

    /// <param name="options">The caps.</param>
    /// <param name="sink">Where invocations go (the channel).</param>
    /// <param name="counters">Early writes are counted here.</param>
    /// <param name="time">The clock for idle expiry.</param>
    /// <param name="budget">The byte budget the tracker keeps to its share of; none in tests of the merge alone.</param>
    public TaskTracker(TrackerOptions options, IInvocationSink sink, IngestCounters counters, TimeProvider time, MemoryBudget? budget = null)
    {
        _sink = sink;
        _counters = counters;
        _time = time;
        _maxTasks = options.MaxTasks;
        _map = new TrackedTaskMap(options, budget, WriteEarly);
        _checkpoint = new TrackerCheckpoint(options.MaxTasks, options.CheckpointRecords);
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
            _map.Expire(now);
            _checkpoint.Applied();
            if (!_map.TryGet(e.Uuid!, out var entry))
            {
                entry = _map.Track(new TaskMerge(e.Uuid!));
                _map.EvictOverCap();
            }

            var changed = entry.Merge.Apply(e);
            entry.LastSeenTicks = now;
            if (changed)
            {
                _map.Account(entry, entry.Merge.EstimateBytes());
                _checkpoint.Changed(entry);
            }

            if (entry.EmitsOn(e.Type.IsTerminal(), changed))
            {
                // Written again when a late event changes a finished task: the upsert merges it.
                entry.MarkEmitted();
                var seq = Emit(entry);
                if (entry.Merge.IsReady)
                {
                    _checkpoint.Release(entry, seq);
                }
            }

            // Read before Touch, which may freeze a finished task's merge.
            var merge = entry.Merge;
            var labels = new TaskLabels(merge.Name, merge.Queue, merge.SentAt, merge.Eta is not null);
            _map.Touch(entry);
            _map.EvictOverBudget();
            PublishLocked();
            return labels;
        }
    }

    /// <summary>The current merged state of a tracked task, or null.</summary>
    public InvocationRecord? TryGet(string taskId)
    {
        lock (_lock)
        {
            if (!_map.TryGet(taskId, out var entry))
            {
                return null;
            }

            // A look does not keep a lingering task thawed.
            var frozen = entry.IsFrozen;
            var record = entry.Merge.ToRecord();
            if (frozen)
            {
                entry.Freeze(_map.Frozen!);
            }

            return record;
        }
    }

    /// <summary>
    /// The first <paramref name="take"/> in-flight tasks <paramref name="match"/> accepts, newest state time first (as
    /// the stored pages) or oldest first (by age): one pass over the map under the lock, records for these alone.
    /// </summary>
    public IReadOnlyList<InvocationRecord> FindInFlight(Func<TaskMerge, bool> match, int take, bool newestFirst = true)
    {
        lock (_lock)
        {
            return InFlightSelection.Top(_map.InFlight, match, newestFirst, take);
        }
    }

    /// <summary>The in-flight tasks <paramref name="match"/> accepts, counted by <paramref name="classify"/>'s key.</summary>
    public IReadOnlyDictionary<string, int> CountInFlight(Func<TaskMerge, bool> match, Func<TaskMerge, string> classify)
    {
        lock (_lock)
        {
            return InFlightSelection.Count(_map.InFlight, match, classify);
        }
    }

    /// <summary>
    /// Which of <paramref name="taskIds"/> the tracker holds unfinished: their stored rows are older states (written
    /// early, or kept over a restart), which lists leave out for the tracker's own (issue 25).
    /// </summary>
    public IReadOnlySet<string> InFlightAmong(IEnumerable<string> taskIds)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var id in taskIds)
            {
                if (_map.TryGet(id, out var entry) && !entry.IsReady)
                {
                    found.Add(id);
                }
            }
        }

        return found;
    }

    /// <summary>Writes idle tasks and forgets expired finished ones. Called on a timer so that quiet periods expire too.</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            _map.Expire(now);
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
            foreach (var entry in _map.InFlight)
            {
                _counters.AddEarlyWrite(EarlyWriteReason.Shutdown);
                // Its bytes leave the tracker before they enter the channel, so the budget never counts a task twice.
                _map.Account(entry, 0);
                var seq = Emit(entry);
                if (keepCheckpoint)
                {
                    entry.KeepForRestart();
                }
                else
                {
                    _checkpoint.Release(entry, seq);
                }

                written++;
            }

            _map.Clear();
            if (!keepCheckpoint)
            {
                _checkpoint.ForgetChanges(); // every task was written: none of them is the checkpoint's any more
            }

            PublishLocked();
            return written;
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
            return _checkpoint.Take(goneThroughSeq, maxBytes, now);
        }
    }

    /// <summary>The task cap (restore reads at most this many rows).</summary>
    public int MaxTasks => _maxTasks;

    /// <summary>A checkpoint that failed to commit: what it took is to be written again by the next one.</summary>
    public void Recheckpoint(CheckpointDelta failed)
    {
        lock (_lock)
        {
            _checkpoint.Retake(failed, _map);
        }
    }

    /// <summary>Events applied so far (the AMQP source maps deliveries to it).</summary>
    public long AppliedSeq
    {
        get
        {
            lock (_lock)
            {
                return _checkpoint.AppliedSeq;
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
                    _checkpoint.DeleteUnreadable(row.TaskId); // unreadable: let the next checkpoint remove it
                    continue;
                }

                if (_map.Contains(row.TaskId))
                {
                    continue;
                }

                var entry = _map.Track(merge);
                entry.Checkpointed = true;
                entry.LastSeenTicks = now;
                _map.Account(entry, merge.EstimateBytes());
                restored++;
                _map.EvictOverCap();
                _map.EvictOverBudget();
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

    private void PublishLocked()
    {
        Volatile.Write(ref _publishedCount, _map.Count);
        Volatile.Write(ref _publishedInFlight, _map.InFlightCount);
        Volatile.Write(ref _publishedOldestTicks, _map.OldestInFlightTicks);
    }

    /// <summary>Writes an in-flight task with its last state, counted, and takes it out of the map.</summary>
    private void WriteEarly(TrackedEntry entry, EarlyWriteReason reason)
    {
        _counters.AddEarlyWrite(reason);
        _checkpoint.Release(entry, Emit(entry));
        _map.Remove(entry);
    }

    private long Emit(TrackedEntry entry)
    {
        var seq = _sink.Write(entry.Merge.ToRecord());
        _checkpoint.Emitted(seq);
        return seq;
    }
}
