using Ingest.Accounting;
using Microsoft.Extensions.Logging;
using Ingest.Storage.Writing;

namespace Ingest.Pipeline;

/// <summary>
/// Commits the batch in hand (through <see cref="BatchBisector"/>, which sets aside a record that fails alone),
/// retrying a storage fault with the failure policy's backoff and giving the batch up, counted, once the policy
/// says so. Measures the stall each commit ends.
/// </summary>
internal sealed class BatchCommitStep
{
    private readonly FlushBatch _batch;
    private readonly BatchBisector _bisector;
    private readonly CheckpointStep _checkpoint;
    private readonly InvocationChannel _channel;
    private readonly FlushFailurePolicy _failurePolicy;
    private readonly IngestCounters _counters;
    private readonly FlushLoopState _state;
    private readonly TimeProvider _time;
    private readonly IFlushObserver? _metrics;
    private readonly ILogger _logger;

    public BatchCommitStep(
        FlushBatch batch,
        BatchBisector bisector,
        CheckpointStep checkpoint,
        InvocationChannel channel,
        FlushFailurePolicy failurePolicy,
        IngestCounters counters,
        FlushLoopState state,
        TimeProvider time,
        IFlushObserver? metrics,
        ILogger logger)
    {
        _batch = batch;
        _bisector = bisector;
        _checkpoint = checkpoint;
        _channel = channel;
        _failurePolicy = failurePolicy;
        _counters = counters;
        _state = state;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Commits the batch, or drops it counted after the last attempt the policy allows. Cancelled while waiting to
    /// retry, it returns with the batch kept: the shutdown drain tries it once more.
    /// </summary>
    public void Run(IBatchWriter writer, CancellationToken stoppingToken)
    {
        var waitingSince = _batch.WaitingSinceTimestamp;
        for (var attempt = 1; ; attempt++)
        {
            _state.SetStatus(attempt == 1 ? FlushLoopStatus.Writing : FlushLoopStatus.Retrying);
            var started = _time.GetTimestamp();
            try
            {
                var committed = _bisector.Write(_batch.Records, _batch.Prepared, writer);
                var took = _time.GetElapsedTime(started);
                // The stall this batch saw runs to its commit: a slow commit (a lock held by another process, a
                // full WAL) is a stall as much as a long maintenance step between two writes is. Recorded before
                // the success, so whoever sees this commit's LastSuccessAt sees its stall too.
                _state.RecordStall(_time.GetElapsedTime(waitingSince));
                _state.BatchSucceeded(committed, took);
                _metrics?.RecordFlush(took, committed);
                // Only a commit that leaves records waiting starts a stall; an idle wait is not one.
                _batch.BacklogSinceTimestamp = _channel.Count > 0 ? _time.GetTimestamp() : 0;
                _batch.Clear();
                _checkpoint.AdvanceDurable();
                return;
            }
            catch (Exception e) when (StorageFaultClassifier.IsStorageFault(e))
            {
                _counters.AddWriteError();
                _state.BatchFailed(e);
                // A store that is away (ClickHouse restarting) is waited out on the probes' backoff, never given up:
                // the channel's byte budget bounds what waits meanwhile (issue 26).
                var delay = StorageFaultClassifier.IsOutage(e) ? FlushFailurePolicy.ProbeDelay(attempt) : _failurePolicy.NextDelay(attempt);
                if (delay is null)
                {
                    Log.BatchDropped(_logger, _batch.Count, attempt, e);
                    _counters.AddDropped(DropReason.WriteFailed, _batch.Count);
                    _state.RecordStall(_time.GetElapsedTime(waitingSince));
                    _batch.Clear();
                    _checkpoint.AdvanceDurable(); // dropped and counted: nothing more will make these records durable
                    return;
                }

                Log.BatchRetry(_logger, _batch.Count, attempt, delay.Value, e);
                try
                {
                    Task.Delay(delay.Value, _time, stoppingToken).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    return; // the batch stays; the shutdown drain tries it once more
                }
            }
        }
    }
}
