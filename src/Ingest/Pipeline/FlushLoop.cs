using Ingest.Accounting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// The only SQLite writer. One loop: wait for records (or the idle tick), take a batch, commit it in one
/// transaction, run one short maintenance step, repeat. While the backlog is at least a batch it never waits.
/// At shutdown it writes the tracker's unfinished tasks, closes the channel and drains it to that mark within
/// a budget, counting what it could not write.
/// It runs on a dedicated thread, synchronously: SQLite has no async I/O, and a 600 ms DROP or a slow commit
/// on a thread-pool thread starved the pool on 2 cores, so HTTP requests (/healthz among them) queued behind
/// it for hundreds of milliseconds in the spike measurement. Blocking this one thread blocks nothing else.
/// (It is not a BackgroundService: one stopped before its task was scheduled never runs ExecuteAsync at all,
/// and then nothing would drain.)
/// The loop body is a list of steps, each a class of its own (OpenTelemetry's BatchExportThreadWorker: wait,
/// export, signal, shutdown check): <see cref="BatchCollector"/> waits and fills the <see cref="FlushBatch"/>,
/// <see cref="BatchCommitStep"/> commits it, <see cref="CheckpointStep"/> writes the in-flight checkpoint,
/// <see cref="QueueSampleStep"/> the broker's samples, <see cref="AuditStep"/> the control audit trail, <see cref="WorkerStateStep"/> the workers, <see cref="MaintenanceStep"/> one maintenance step,
/// <see cref="WriteProbeStep"/> probes the store while commits fail and nothing waits, and <see cref="ShutdownDrain"/>
/// ends it.
/// </summary>
public sealed class FlushLoop : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;

    private readonly FlushLoopState _state;
    private readonly Func<IBatchWriter> _openWriter;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _storeOpenWait;
    private readonly TimeSpan _drainBudget;
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The batch in hand, and the loop's steps in the order Run takes them.
    private readonly FlushBatch _batch;
    private readonly CheckpointStep _checkpoint;
    private readonly MaintenanceStep _maintenance;
    private readonly BatchCollector _collector;
    private readonly BatchCommitStep _commit;
    private readonly QueueSampleStep _queueSamples;
    private readonly AuditStep _audit;
    private readonly WorkerStateStep _workers;
    private readonly WriteProbeStep _writeProbe;
    private readonly ShutdownDrain _drain;

    public FlushLoop(
        InvocationChannel channel,
        IInFlightTasks tracker,
        Func<IBatchWriter> openWriter,
        PipelineOptions options,
        IngestCounters counters,
        FlushLoopState state,
        TimeProvider time,
        ILogger<FlushLoop> logger,
        IFlushObserver? metrics = null,
        Streaming.StreamHub? stream = null,
        DurableWatermark? durable = null,
        QueueSampleBuffer? queueSamples = null,
        Storage.Audit.AuditBuffer? audit = null,
        Storage.Workers.WorkerStateBuffer? workers = null)
    {
        _state = state;
        _openWriter = openWriter;
        _logger = logger;
        _time = time;
        _storeOpenWait = options.StoreOpenWait;
        _drainBudget = options.ShutdownDrainBudget;
        durable ??= new DurableWatermark();

        _batch = new FlushBatch(channel, state, counters, options);
        // The in-flight checkpoint and the durability it gives (issue 13).
        _checkpoint = new CheckpointStep(
            tracker, durable, new CheckpointSchedule(options.CheckpointInterval, time), _batch, channel, counters, state, logger);
        var bisector = new BatchBisector(
            state.SetInProgress,
            committed: segment =>
            {
                counters.AddFlushed(segment.Count);
                stream?.Publish(segment);
            },
            setAside: (record, e) =>
            {
                Log.RecordSetAside(logger, record.TaskId, e);
                counters.AddWriteFailed($"task {record.TaskId}: {e.GetType().Name}: {e.Message}");
            });
        _commit = new BatchCommitStep(
            _batch, bisector, _checkpoint, channel, new FlushFailurePolicy(options.MaxWriteAttempts), counters, state, time, metrics, logger);
        _maintenance = new MaintenanceStep(channel, state, time, options.IdleTick, options.BatchSize, metrics, logger);
        _queueSamples = new QueueSampleStep(queueSamples, logger);
        _audit = new AuditStep(audit, logger);
        _workers = new WorkerStateStep(workers, time, logger);
        _writeProbe = new WriteProbeStep(state, time, logger);
        _collector = new BatchCollector(channel, _batch, _checkpoint, _queueSamples, _maintenance, state, time, options.IdleTick, options.MaxBatchWait, _audit);
        var keepInFlight = options.KeepInFlightAtShutdown && options.CheckpointInterval > TimeSpan.Zero;
        _drain = new ShutdownDrain(_batch, _commit, _checkpoint, tracker, channel, counters, state, time, options.ShutdownDrainBudget, keepInFlight, logger);

        if (queueSamples is not null)
        {
            queueSamples.Added += _collector.Wake; // a sample is written at once, not at the next idle tick
        }

        if (audit is not null)
        {
            audit.Added += _collector.Wake; // an action is on record within a moment, not at the next idle tick
        }

        durable.RequestedNow += _collector.Wake;
    }

    /// <summary>Starts the loop on its own thread; completes once the in-flight checkpoint is restored.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The loop must not inherit the ambient context (activity, culture, async locals) of whoever started the host.
        using (ExecutionContext.SuppressFlow())
        {
            _thread = new Thread(() =>
            {
                try
                {
                    Run(_stopping.Token);
                }
                finally
                {
                    _completed.TrySetResult();
                }
            })
            {
                Name = "ingest-flush",
                IsBackground = true,
            };
            _thread.Start();
        }

        // Sources start after this returns: the checkpoint is restored before any of them delivers an event.
        return _restored.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Asks the loop to stop and drain, and waits for the drain to finish, within the drain's own budget even when
    /// the host has stopped waiting. The host's token is cancelled once its shutdown timeout has run out on
    /// something slower (issue 12: a browser tab on /api/stream held Kestrel the whole 30 s; this then returned at
    /// once, the process ended under the drain and unwritten tasks were lost uncounted). Returning before the
    /// drain is done would end the process under it, so the drain is what bounds this wait.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_thread is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested && !_completed.Task.IsCompleted)
        {
            Log.DrainAfterHostTimeout(_logger, _drainBudget);
        }

        // The drain stops itself at its budget; the margin covers the commit in progress when the budget ran out.
        // A backstop on a real thread, so on the real clock: a test's fake clock must not make it wait forever.
        await _completed.Task.WaitAsync(_drainBudget + DrainMargin, TimeProvider.System, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_completed.Task.IsCompleted)
        {
            Log.DrainCutShort(_logger, _drainBudget + DrainMargin, _drain.Unwritten);
        }
    }

    /// <summary>How long past the drain budget <see cref="StopAsync"/> waits for a last commit.</summary>
    internal static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Signals stop only. The container may dispose this singleton before the host calls StopAsync, so the
    /// token source must outlive Dispose (it holds no timer, so leaving it undisposed costs nothing).
    /// </summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>
    /// The writer, or null when the loop cannot run. A store that is not answering (ClickHouse starting beside
    /// Ingest, issue 26) is tried again on the probes' backoff for up to <see cref="PipelineOptions.StoreOpenWait"/>,
    /// /healthz saying so, rather than the loop dying at once and the pod restarting in a loop; past that wait, or
    /// for any other failure, the loop dies, published as <see cref="FlushLoopStatus.Failed"/>.
    /// </summary>
    private IBatchWriter? OpenWriter(CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return _openWriter();
            }
            catch (Exception e) when (Storage.Writing.StorageFaultClassifier.IsOutage(e) && _time.GetElapsedTime(started) < _storeOpenWait
                && !stoppingToken.IsCancellationRequested)
            {
                _state.BatchFailed(e);
                _state.SetStatus(FlushLoopStatus.Retrying);
                var left = _storeOpenWait - _time.GetElapsedTime(started);
                var delay = FlushFailurePolicy.ProbeDelay(attempt);
                delay = delay < left ? delay : left;
                Log.StoreUnreachable(_logger, attempt, delay, e);
                try
                {
                    Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, _time, stoppingToken).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    _state.SetStatus(FlushLoopStatus.Stopped);
                    return null;
                }
            }
            catch (Exception e)
            {
                _state.Failed(e);
                Log.FlushLoopFailed(_logger, e);
                return null;
            }
        }
    }

    /// <summary>
    /// Restore, then the loop's steps until shutdown (wait, commit or probe, checkpoint, samples, maintenance), then the
    /// drain. Any escape from a step is the loop's death, published as <see cref="FlushLoopStatus.Failed"/>.
    /// </summary>
    private void Run(CancellationToken stoppingToken)
    {
        if (OpenWriter(stoppingToken) is not { } writer)
        {
            _restored.TrySetResult();
            return;
        }

        using (writer)
        {
            _batch.Attach(writer);
            try
            {
                try
                {
                    _checkpoint.Restore(writer);
                    _workers.Restore(writer);
                }
                finally
                {
                    _restored.TrySetResult(); // the sources start now, restored or not
                }

                _state.Started();
                _maintenance.Run(writer, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    _collector.Collect(stoppingToken);
                    if (_batch.Count > 0)
                    {
                        _commit.Run(writer, stoppingToken);
                    }
                    else if (_writeProbe.Due)
                    {
                        _writeProbe.Run(writer);
                    }

                    if (_checkpoint.Due)
                    {
                        _checkpoint.Run(writer);
                    }

                    if (_queueSamples.Waiting)
                    {
                        _queueSamples.Run(writer);
                    }

                    if (_audit.Waiting)
                    {
                        _audit.Run(writer);
                    }

                    if (_workers.Due)
                    {
                        _workers.Run(writer);
                    }

                    if (_maintenance.Due)
                    {
                        _maintenance.Run(writer, stoppingToken);
                    }
                }

                _drain.Run(writer);
                if (_queueSamples.Waiting)
                {
                    _queueSamples.Run(writer);
                }

                if (_audit.Waiting)
                {
                    _audit.Run(writer);
                }

                if (_workers.Waiting)
                {
                    _workers.Run(writer);
                }

                _state.SetStatus(FlushLoopStatus.Stopped);
            }
            catch (Exception e)
            {
                _state.Failed(e);
                Log.FlushLoopFailed(_logger, e);
            }
            finally
            {
                _restored.TrySetResult();
            }
        }
    }
}
