namespace Ingest.Pipeline;

/// <summary>
/// The flush loop's wait: for the first record (at most one idle tick), then to fill the batch for at most
/// <see cref="PipelineOptions.MaxBatchWait"/>. It does not wait while other work is due (a checkpoint someone waits
/// on, queue samples, a pending maintenance step), and <see cref="Wake"/> cuts a wait short when such work arrives.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Reliability",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The wake-up token sources hold no timer, so leaving them to the GC costs nothing; disposing one whose token the loop may still be reading would throw on the loop's thread. FlushLoop never disposed them either.")]
internal sealed class BatchCollector
{
    private readonly InvocationChannel _channel;
    private readonly FlushBatch _batch;
    private readonly CheckpointStep _checkpoint;
    private readonly QueueSampleStep _queueSamples;
    private readonly MaintenanceStep _maintenance;
    private readonly FlushLoopState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTick;
    private readonly TimeSpan _maxBatchWait;
    private readonly AuditStep? _audit;
    private CancellationTokenSource _wakeup = new();

    public BatchCollector(
        InvocationChannel channel,
        FlushBatch batch,
        CheckpointStep checkpoint,
        QueueSampleStep queueSamples,
        MaintenanceStep maintenance,
        FlushLoopState state,
        TimeProvider time,
        TimeSpan idleTick,
        TimeSpan maxBatchWait,
        AuditStep? audit = null)
    {
        _audit = audit;
        _channel = channel;
        _batch = batch;
        _checkpoint = checkpoint;
        _queueSamples = queueSamples;
        _maintenance = maintenance;
        _state = state;
        _time = time;
        _idleTick = idleTick;
        _maxBatchWait = maxBatchWait;
    }

    /// <summary>Ends the current wait: work other than records has arrived. Safe from any thread.</summary>
    public void Wake()
    {
        var current = _wakeup;
        try
        {
            current.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits for the first record (at most one idle tick), then fills the batch for at most <c>MaxBatchWait</c>.</summary>
    public void Collect(CancellationToken stoppingToken)
    {
        if (_batch.InHand == 0 && _channel.IsEmpty)
        {
            if (_maintenance.Pending)
            {
                return; // nothing to write: run the pending step (tomorrow's partition, a vacuum step) now
            }

            _state.SetStatus(FlushLoopStatus.Idle);
            if (!WaitToRead(_idleTick, stoppingToken))
            {
                return;
            }
        }

        // The batch wait counts from when records were first waiting: after a commit or a maintenance step that
        // left records behind, that was the previous commit, so a long step is not followed by a wait to fill.
        var started = _batch.BacklogSinceTimestamp != 0 ? _batch.BacklogSinceTimestamp : _time.GetTimestamp();
        if (_batch.Count == 0)
        {
            _batch.StartedTimestamp = _time.GetTimestamp();
        }

        while (true)
        {
            _batch.TakeFromChannel();
            _state.SetInProgress(_batch.InHand);
            var remaining = _maxBatchWait - _time.GetElapsedTime(started);
            if (_batch.IsFull || remaining <= TimeSpan.Zero
                || !WaitToRead(remaining, stoppingToken))
            {
                return;
            }
        }
    }

    /// <summary>True if data may be read; false on timeout, completion or shutdown.</summary>
    private bool WaitToRead(TimeSpan timeout, CancellationToken stoppingToken)
    {
        if (_wakeup.IsCancellationRequested)
        {
            _wakeup = new CancellationTokenSource();
        }

        // Checked after the wake-up token is renewed: an audit entry added in between would else wait an idle tick.
        if (_checkpoint.Due || _queueSamples.Waiting || _audit?.Waiting == true)
        {
            return false; // durability was asked for, or samples or audit entries wait: write them before waiting
        }

        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token, _wakeup.Token);
        try
        {
            // Blocking is right here: this is the loop's own thread, not the pool's.
            return _channel.WaitToReadAsync(linked.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
