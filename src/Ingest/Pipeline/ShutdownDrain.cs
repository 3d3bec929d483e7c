using Ingest.Accounting;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// The flush loop's last step, drain to a mark (OpenTelemetry's shape): the tracker's unfinished tasks are written,
/// the channel is closed, and everything handed over before shutdown is committed within the drain budget. What
/// the budget leaves is dropped, counted as shutdown.
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

            if (_batch.Count == 0)
            {
                break;
            }

            _state.SetInProgress(_batch.Count);
            _commit.Run(writer, budget.Token);
        }

        var left = _batch.Count + _channel.Count;
        if (left > 0)
        {
            _counters.AddDropped(DropReason.Shutdown, left);
            _batch.Clear();
            while (_channel.TryRead(out _))
            {
            }
        }

        if (_checkpoint.Enabled && !budget.IsCancellationRequested)
        {
            // Everything was written: the checkpoint rows of the tasks written at shutdown go too.
            _checkpoint.Run(writer);
        }

        Log.Drained(_logger, unfinished, left, _time.GetElapsedTime(started));
    }
}
