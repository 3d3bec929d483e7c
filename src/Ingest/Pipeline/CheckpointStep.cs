using Ingest.Accounting;
using Microsoft.Extensions.Logging;
using Ingest.Storage.Writing;

namespace Ingest.Pipeline;

/// <summary>
/// The flush loop's in-flight checkpoint and the durability it gives (issue 13): restores the tracker's unfinished
/// tasks at start (and reads what the last shutdown could not write), writes what changed since the last checkpoint, and moves the durable watermark once the records
/// a checkpoint counted on are committed or dropped.
/// </summary>
internal sealed class CheckpointStep
{
    private readonly IInFlightTasks _tracker;
    private readonly DurableWatermark _durable;
    private readonly CheckpointSchedule _schedule;
    private readonly FlushBatch _batch;
    private readonly InvocationChannel _channel;
    private readonly IngestCounters _counters;
    private readonly FlushLoopState _state;
    private readonly ILogger _logger;
    private readonly int _maxRestore;
    private readonly Queue<(long AppliedSeq, long RecordSeq)> _pendingDurable = new();

    public CheckpointStep(
        IInFlightTasks tracker,
        DurableWatermark durable,
        CheckpointSchedule schedule,
        FlushBatch batch,
        InvocationChannel channel,
        IngestCounters counters,
        FlushLoopState state,
        ILogger logger)
    {
        _tracker = tracker;
        _durable = durable;
        _schedule = schedule;
        _batch = batch;
        _channel = channel;
        _counters = counters;
        _state = state;
        _logger = logger;
        _maxRestore = Math.Max(1, tracker.MaxTasks);
    }

    /// <summary>False when checkpoints are off.</summary>
    public bool Enabled => _schedule.Enabled;

    /// <summary>A checkpoint is due: its interval has passed, or someone waits for durability.</summary>
    public bool Due => _schedule.IsDue(_durable.Requested);

    /// <summary>
    /// Puts the checkpointed unfinished tasks back into the tracker (bounded by its caps; metadata-sized work,
    /// at most the task cap's rows). A checkpoint that cannot be read costs its tasks' names, never the start.
    /// </summary>
    public void Restore(IBatchWriter writer)
    {
        ReadShutdownDrops(writer);
        if (!_schedule.Enabled)
        {
            return;
        }

        try
        {
            var rows = writer.ReadCheckpoint(_maxRestore);
            var restored = _tracker.Restore(rows);
            Log.CheckpointRestored(_logger, restored, rows.Count);
        }
        catch (Exception e) when (StorageFaultClassifier.IsStorageFault(e) || e is Microsoft.Data.Sqlite.SqliteException)
        {
            Log.CheckpointRestoreFailed(_logger, e);
        }
    }

    /// <summary>What the last shutdown could not write, as it recorded it: reported once, and published in the counters.</summary>
    /// <remarks>One row of <c>ingest_meta</c>, which opening the writer has just read and created: it does not fail where opening did not.</remarks>
    private void ReadShutdownDrops(IBatchWriter writer)
    {
        if (writer.ReadShutdownDrops() is { } count and > 0)
        {
            _counters.SetDroppedAtLastShutdown(count);
            Log.DroppedAtLastShutdown(_logger, count);
        }
    }

    /// <summary>
    /// Commits the tracker's changes since the last checkpoint in one short transaction of its own, then moves the
    /// durable watermark: applied events are durable once their checkpoint is committed and every record they
    /// emitted is committed or dropped (counted). A failed checkpoint is retried at the next one; the tracker
    /// marks what it took as written, so the rows it held are rewritten from the tasks that are still dirty.
    /// </summary>
    public void Run(IBatchWriter writer)
    {
        _durable.ClearRequest();
        _schedule.Taken();
        var (delta, applied, records, complete) = _tracker.TakeCheckpoint(_batch.CommittedThroughSequence(), _channel.Budget.MaxBatchBytes);
        try
        {
            if (!delta.IsEmpty)
            {
                writer.Write([], delta);
            }

            _state.CheckpointDone(delta.Upserts.Count, delta.Deletes.Count);
        }
        catch (Exception e)
        {
            // Whatever the cause, the loop carries on: what the take held is taken again by the next one.
            _counters.AddWriteError();
            _state.BatchFailed(e);
            _tracker.Recheckpoint(delta);
            Log.CheckpointFailed(_logger, e);
            return;
        }

        _pendingDurable.Enqueue((applied, records));
        AdvanceDurable();
        if (!complete)
        {
            _durable.Request(); // the take hit its byte cap: the rest goes in the next one, soon
        }
    }

    /// <summary>Moves the watermark over every checkpoint whose records are all gone from the channel.</summary>
    public void AdvanceDurable()
    {
        var gone = _batch.CommittedThroughSequence();
        var durable = -1L;
        while (_pendingDurable.TryPeek(out var p) && p.RecordSeq <= gone)
        {
            durable = p.AppliedSeq;
            _pendingDurable.Dequeue();
        }

        if (durable >= 0)
        {
            _durable.Advance(durable);
        }
    }
}
