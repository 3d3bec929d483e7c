using Ingest.Accounting;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// The flush loop's last step, drain to a mark (OpenTelemetry's shape): the tracker's unfinished tasks are written,
/// the channel is closed, and everything handed over before shutdown is committed within the drain budget. What
/// the budget leaves is dropped, counted as shutdown, logged with its number and recorded for the next start.
/// </summary>
internal sealed class ShutdownDrain
{
    private readonly FlushBatch _batch;
    private readonly BatchCommitStep _commit;
    private readonly CheckpointStep _checkpoint;
    private readonly IInFlightTasks _tracker;
    private readonly InvocationChannel _channel;
    private readonly IngestCounters _counters;
    private readonly FlushLoopState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _budget;
    private readonly bool _keepInFlight;
    private readonly ILogger _logger;

    /// <param name="budget">How long the drain may take.</param>
    /// <param name="keepInFlight">Keep the unfinished tasks in the checkpoint for the next start.</param>
    public ShutdownDrain(
        FlushBatch batch,
        BatchCommitStep commit,
        CheckpointStep checkpoint,
        IInFlightTasks tracker,
        InvocationChannel channel,
        IngestCounters counters,
        FlushLoopState state,
        TimeProvider time,
        TimeSpan budget,
        bool keepInFlight,
        ILogger logger)
    {
        _batch = batch;
        _commit = commit;
        _checkpoint = checkpoint;
        _tracker = tracker;
        _channel = channel;
        _counters = counters;
        _state = state;
        _time = time;
        _budget = budget;
        _keepInFlight = keepInFlight;
        _logger = logger;
    }

    /// <summary>Drain to a mark (OpenTelemetry's shape): everything handed over before shutdown, within the budget.</summary>
    /// <remarks>
    /// A batch that would end past the budget and the stop's margin is not started: the process would end under it
    /// and what it held would go uncounted (issue 24: one 243.6 s batch outlived the 25 s drain, and about 21,000
    /// tasks answered 202 were never stored nor counted). What is left is counted as dropped (shutdown), logged with
    /// its number, and recorded in the file for the next start to report.
    /// </remarks>
    public void Run(IBatchWriter writer)
    {
        _state.SetStatus(FlushLoopStatus.Draining);
        var unfinished = _tracker.FlushAll(_keepInFlight);
        _channel.Complete();
        var started = _time.GetTimestamp();
        using var budget = new CancellationTokenSource(_budget, _time);
        while (!budget.IsCancellationRequested)
        {
            _batch.TakeFromChannel();

            if (_batch.Count == 0
                || _time.GetElapsedTime(started) + _state.LastBatchDuration > _budget + FlushLoop.DrainMargin)
            {
                break;
            }

            _state.SetInProgress(_batch.InHand);
            _commit.Run(writer, budget.Token);
        }

        // The channel is complete: nothing enters it now (a late write is counted as shutdown where it is refused).
        var left = _batch.ClearAll();
        while (_channel.TryRead(out _))
        {
            left++;
        }

        _counters.AddDropped(DropReason.Shutdown, left);
        RecordDrops(writer, left);

        if (_checkpoint.Enabled && left == 0 && !budget.IsCancellationRequested)
        {
            // Everything was written: the checkpoint rows of the tasks written at shutdown go too. Not otherwise: a
            // task whose record was dropped keeps its last checkpointed state for the next start.
            _checkpoint.Run(writer);
        }

        Log.Drained(_logger, unfinished, left, _time.GetElapsedTime(started));
    }

    /// <summary>What the channel and the batch hold now: what a drain cut short by the host's stop leaves unwritten.</summary>
    public int Unwritten => _state.InProgress + _channel.Count;

    /// <summary>Records the count (0 after a clean drain) for the next start; a writer that cannot costs the record, never the drain.</summary>
    private void RecordDrops(IBatchWriter writer, int left)
    {
        try
        {
            writer.RecordShutdownDrops(left);
        }
        catch (Exception e) when (StorageFaultClassifier.IsStorageFault(e) || e is Microsoft.Data.Sqlite.SqliteException)
        {
            Log.ShutdownDropsNotRecorded(_logger, left, e);
        }
    }
}
