using Ingest.Storage;
using Ingest.Storage.Checkpoint;

namespace Ingest.Tracking;

/// <summary>
/// The tracker's side of the in-flight checkpoint (issue 13): the tasks changed since the last take, the rows to
/// delete once the record that replaced them is gone from the channel, and how far applied events and emitted
/// records have come. Not thread-safe: called under the tracker's lock.
/// </summary>
internal sealed class TrackerCheckpoint
{
    private readonly List<TrackedEntry> _dirty = [];
    private readonly Dictionary<string, long> _pendingDeletes = new(StringComparer.Ordinal);
    private readonly int _maxTasks;
    private readonly bool _withRecords;

    /// <param name="maxTasks">The task cap, which bounds the dirty list while no checkpoint is taken.</param>
    /// <param name="withRecords">Whether each take carries its upserted tasks as invocations too (<see cref="TrackerOptions.CheckpointRecords"/>).</param>
    public TrackerCheckpoint(int maxTasks, bool withRecords = false)
    {
        _maxTasks = maxTasks;
        _withRecords = withRecords;
    }

    /// <summary>Events applied so far.</summary>
    public long AppliedSeq { get; private set; }

    /// <summary>The sequence number of the last record the tracker sent.</summary>
    public long LastEmittedSeq { get; private set; }

    /// <summary>One more event is being applied.</summary>
    public void Applied() => AppliedSeq++;

    /// <summary>A record went out as <paramref name="seq"/>.</summary>
    public void Emitted(long seq) => LastEmittedSeq = seq;

    /// <summary>The task's record changed: an unfinished task's state is for the next take.</summary>
    public void Changed(TrackedEntry entry)
    {
        if (entry.IsReady || entry.DirtySince is not null)
        {
            return;
        }

        entry.DirtySince = AppliedSeq;
        _dirty.Add(entry);
        if (_dirty.Count > 2 * _maxTasks)
        {
            // No checkpoint taken for a long while (it is off, or the writer is stuck): keep the list to
            // what is still tracked and unfinished, which the task cap bounds.
            _dirty.RemoveAll(d => !d.IsTracked || d.IsReady);
        }
    }

    /// <summary>
    /// The task's invocation went out as record <paramref name="seq"/>: its checkpoint row may go, but only in a
    /// checkpoint taken once that record is committed (or dropped, counted), so a crash between never loses both.
    /// </summary>
    public void Release(TrackedEntry entry, long seq)
    {
        if (entry.Checkpointed)
        {
            _pendingDeletes[entry.TaskId] = seq;
            entry.Checkpointed = false;
        }
    }

    /// <summary>A row that could not be read back: the next checkpoint removes it.</summary>
    public void DeleteUnreadable(string taskId) => _pendingDeletes.TryAdd(taskId, 0);

    /// <summary>Every task was written (replay's end): none of them is the checkpoint's any more.</summary>
    public void ForgetChanges() => _dirty.Clear();

    /// <summary>See <see cref="TaskTracker.TakeCheckpoint"/>.</summary>
    /// <param name="goneThroughSeq">Every record up to this number is committed or dropped.</param>
    /// <param name="maxBytes">Most text one take serializes.</param>
    /// <param name="now">The rows' update time, Unix seconds.</param>
    public (CheckpointDelta Delta, long AppliedSeq, long RecordSeq, bool Complete) Take(long goneThroughSeq, long maxBytes, double now)
    {
        var upserts = new List<CheckpointRow>(Math.Min(_dirty.Count, 4096));
        var records = _withRecords ? new List<InvocationRecord>(upserts.Capacity) : null;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var bytes = 0L;
        var remaining = new List<TrackedEntry>();
        foreach (var entry in _dirty)
        {
            if (entry.IsReady || !entry.CheckpointTakesIt)
            {
                entry.DirtySince = null;
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

            entry.DirtySince = null;
            bytes += entry.Bytes;
            buffer.ResetWrittenCount();
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                entry.Merge.WriteSnapshot(json);
            }

            upserts.Add(new CheckpointRow(entry.Merge.TaskId, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), now));
            records?.Add(entry.Merge.ToRecord());
            entry.Checkpointed = true;
        }

        _dirty.Clear();
        _dirty.AddRange(remaining);
        // Applied events are covered up to just before the earliest change still waiting for a take.
        var covered = remaining.Count == 0 ? AppliedSeq : remaining.Min(e => e.DirtySince!.Value) - 1;

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

        return (new CheckpointDelta(upserts, deletes ?? []) { Records = records ?? [] }, covered, LastEmittedSeq, remaining.Count == 0);
    }

    /// <summary>A checkpoint that failed to commit: what it took is to be written again by the next one.</summary>
    /// <param name="failed">What the failed take held.</param>
    /// <param name="map">The tasks now tracked (a row's task may have left, or started a new life).</param>
    public void Retake(CheckpointDelta failed, TrackedTaskMap map)
    {
        foreach (var row in failed.Upserts)
        {
            if (map.TryGet(row.TaskId, out var entry) && !entry.IsReady && entry.DirtySince is null)
            {
                // Its changes are not durable: the coverage stays below them until a take commits them.
                entry.DirtySince = 0;
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
