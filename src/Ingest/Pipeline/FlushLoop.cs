using Ingest.Diagnostics;
using Ingest.Storage;
using Ingest.Tracking;
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
/// </summary>
public sealed class FlushLoop : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;

    private readonly InvocationChannel _channel;
    private readonly TaskTracker _tracker;
    private readonly Func<IBatchWriter> _openWriter;
    private readonly IngestCounters _counters;
    private readonly FlushLoopState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _batchSize;
    private readonly TimeSpan _maxBatchWait;
    private readonly TimeSpan _idleTick;
    private readonly TimeSpan _drainBudget;
    private readonly FlushFailurePolicy _failurePolicy;
    private readonly List<InvocationRecord> _batch;
    private readonly IngestMetrics? _metrics;
    private long _lastMaintenanceTimestamp;
    private bool _maintenancePending;
    private long _lastCommitTimestamp;
    private long _batchStartedTimestamp;
    private long _batchBytes;
    private long _batchFirstSeq;
    private readonly Streaming.StreamHub? _stream;

    // The in-flight checkpoint and the durability it gives (issue 13).
    private readonly DurableWatermark _durable;
    private readonly TimeSpan _checkpointInterval;
    private readonly bool _keepInFlightAtShutdown;
    private readonly int _maxRestore;
    private readonly Queue<(long AppliedSeq, long RecordSeq)> _pendingDurable = new();
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastCheckpointTimestamp;
    private CancellationTokenSource _wakeup = new();
    private readonly QueueSampleBuffer? _queueSamples;

    public FlushLoop(
        InvocationChannel channel,
        TaskTracker tracker,
        Func<IBatchWriter> openWriter,
        PipelineOptions options,
        IngestCounters counters,
        FlushLoopState state,
        TimeProvider time,
        ILogger<FlushLoop> logger,
        IngestMetrics? metrics = null,
        Streaming.StreamHub? stream = null,
        DurableWatermark? durable = null,
        QueueSampleBuffer? queueSamples = null)
    {
        _queueSamples = queueSamples;
        if (queueSamples is not null)
        {
            queueSamples.Added += Wake; // a sample is written at once, not at the next idle tick
        }

        _durable = durable ?? new DurableWatermark();
        _durable.RequestedNow += Wake;
        _checkpointInterval = options.CheckpointInterval;
        _keepInFlightAtShutdown = options.KeepInFlightAtShutdown && options.CheckpointInterval > TimeSpan.Zero;
        _maxRestore = Math.Max(1, tracker.MaxTasks);
        _metrics = metrics;
        _stream = stream;
        _channel = channel;
        _tracker = tracker;
        _openWriter = openWriter;
        _counters = counters;
        _state = state;
        _time = time;
        _logger = logger;
        _batchSize = options.BatchSize;
        _maxBatchWait = options.MaxBatchWait;
        _idleTick = options.IdleTick;
        _drainBudget = options.ShutdownDrainBudget;
        _failurePolicy = new FlushFailurePolicy(options.MaxWriteAttempts);
        _batch = new List<InvocationRecord>(options.BatchSize);
    }

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
            Log.DrainCutShort(_logger, _drainBudget + DrainMargin);
        }
    }

    /// <summary>How long past the drain budget <see cref="StopAsync"/> waits for a last commit.</summary>
    private static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Signals stop only. The container may dispose this singleton before the host calls StopAsync, so the
    /// token source must outlive Dispose (it holds no timer, so leaving it undisposed costs nothing).
    /// </summary>
    public void Dispose() => _stopping.Cancel();

    private void Run(CancellationToken stoppingToken)
    {
        IBatchWriter writer;
        try
        {
            writer = _openWriter();
        }
        catch (Exception e)
        {
            _state.Failed(e);
            Log.FlushLoopFailed(_logger, e);
            _restored.TrySetResult();
            return;
        }

        using (writer)
        {
            try
            {
                Restore(writer);
                _state.Started();
                Maintain(writer, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    CollectBatch(stoppingToken);
                    if (_batch.Count > 0)
                    {
                        WriteBatch(writer, stoppingToken);
                    }

                    if (CheckpointDue())
                    {
                        Checkpoint(writer);
                    }

                    if (_queueSamples is { Count: > 0 })
                    {
                        WriteQueueSamples(writer);
                    }

                    if (MaintenanceDue())
                    {
                        Maintain(writer, stoppingToken);
                    }
                }

                Drain(writer);
                if (_queueSamples is { Count: > 0 })
                {
                    WriteQueueSamples(writer);
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

    /// <summary>
    /// Puts the checkpointed unfinished tasks back into the tracker (bounded by its caps; metadata-sized work,
    /// at most the task cap's rows). A checkpoint that cannot be read costs its tasks' names, never the start.
    /// </summary>
    private void Restore(IBatchWriter writer)
    {
        if (_checkpointInterval <= TimeSpan.Zero)
        {
            _restored.TrySetResult();
            return;
        }

        try
        {
            var rows = writer.ReadCheckpoint(_maxRestore);
            var restored = _tracker.Restore(rows);
            Log.CheckpointRestored(_logger, restored, rows.Count);
        }
        catch (Exception e) when (IsStorageFault(e) || e is Microsoft.Data.Sqlite.SqliteException)
        {
            Log.CheckpointRestoreFailed(_logger, e);
        }
        finally
        {
            _restored.TrySetResult();
        }
    }

    /// <summary>
    /// The broker's queue samples: a few rows per sampling interval, in a short transaction of their own between
    /// batches. A failed write loses its samples, counted (they are readings, not invocations: the next interval
    /// brings new ones, and the loop never retries at the cost of the invocations waiting).
    /// </summary>
    private void WriteQueueSamples(IBatchWriter writer)
    {
        var samples = _queueSamples!.Take(QueueSampleBuffer.Capacity);
        try
        {
            writer.WriteQueueSamples(samples);
            _queueSamples.MarkWritten(samples.Count);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _queueSamples.MarkFailed(samples.Count);
            Log.QueueSamplesFailed(_logger, samples.Count, e);
        }
    }

    private bool CheckpointDue() =>
        _checkpointInterval > TimeSpan.Zero
        && (_durable.Requested || _time.GetElapsedTime(_lastCheckpointTimestamp) >= _checkpointInterval);

    /// <summary>
    /// Commits the tracker's changes since the last checkpoint in one short transaction of its own, then moves the
    /// durable watermark: applied events are durable once their checkpoint is committed and every record they
    /// emitted is committed or dropped (counted). A failed checkpoint is retried at the next one; the tracker
    /// marks what it took as written, so the rows it held are rewritten from the tasks that are still dirty.
    /// </summary>
    private void Checkpoint(IBatchWriter writer)
    {
        _durable.ClearRequest();
        _lastCheckpointTimestamp = _time.GetTimestamp();
        var (delta, applied, records, complete) = _tracker.TakeCheckpoint(CommittedThroughSequence(), _channel.Budget.MaxBatchBytes);
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

    /// <summary>
    /// Every record up to this number is committed or was dropped (counted): gone from the channel and not in the
    /// batch still to be written.
    /// </summary>
    private long CommittedThroughSequence()
    {
        var gone = _channel.GoneThroughSequence;
        return _batch.Count > 0 ? Math.Min(gone, _batchFirstSeq - 1) : gone;
    }

    /// <summary>Moves the watermark over every checkpoint whose records are all gone from the channel.</summary>
    private void AdvanceDurable()
    {
        var gone = CommittedThroughSequence();
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

    private void Wake()
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
    private void CollectBatch(CancellationToken stoppingToken)
    {
        if (_batch.Count == 0 && _channel.IsEmpty)
        {
            if (_maintenancePending)
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
        var started = _lastCommitTimestamp != 0 ? _lastCommitTimestamp : _time.GetTimestamp();
        if (_batch.Count == 0)
        {
            _batchStartedTimestamp = _time.GetTimestamp();
        }

        while (true)
        {
            TakeIntoBatch();
            _state.SetInProgress(_batch.Count);
            var remaining = _maxBatchWait - _time.GetElapsedTime(started);
            if (BatchFull || remaining <= TimeSpan.Zero
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

        if (CheckpointDue() || _queueSamples is { Count: > 0 })
        {
            return false; // durability was asked for, or samples wait: write them before waiting
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

    private void WriteBatch(IBatchWriter writer, CancellationToken stoppingToken)
    {
        // Records have waited since the previous commit if it left a backlog, else since this batch was started.
        var waitingSince = _lastCommitTimestamp != 0 ? _lastCommitTimestamp : _batchStartedTimestamp;
        for (var attempt = 1; ; attempt++)
        {
            _state.SetStatus(attempt == 1 ? FlushLoopStatus.Writing : FlushLoopStatus.Retrying);
            var started = _time.GetTimestamp();
            try
            {
                var committed = WriteSettingAsideBadRecords(writer);
                var took = _time.GetElapsedTime(started);
                // The stall this batch saw runs to its commit: a slow commit (a lock held by another process, a
                // full WAL) is a stall as much as a long maintenance step between two writes is. Recorded before
                // the success, so whoever sees this commit's LastSuccessAt sees its stall too.
                _state.RecordStall(_time.GetElapsedTime(waitingSince));
                _state.BatchSucceeded(committed, took);
                _metrics?.RecordFlush(took, committed);
                // Only a commit that leaves records waiting starts a stall; an idle wait is not one.
                _lastCommitTimestamp = _channel.Count > 0 ? _time.GetTimestamp() : 0;
                Clear();
                AdvanceDurable();
                return;
            }
            catch (Exception e) when (IsStorageFault(e))
            {
                _counters.AddWriteError();
                _state.BatchFailed(e);
                var delay = _failurePolicy.NextDelay(attempt);
                if (delay is null)
                {
                    Log.BatchDropped(_logger, _batch.Count, attempt, e);
                    _counters.AddDropped(DropReason.WriteFailed, _batch.Count);
                    _state.RecordStall(_time.GetElapsedTime(waitingSince));
                    Clear();
                    AdvanceDurable(); // dropped and counted: nothing more will make these records durable
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

    /// <summary>
    /// Commits the batch. A failure that is not the storage's (a bug or an impossible value in one record) is
    /// tied to some record: the batch is split in halves, each half committed on its own, until the record that
    /// fails alone is found; that one is set aside and counted as write_failed with its reason, and every other
    /// record is written. (Issue 12: one runtime of 1e308 failed five commits and dropped 351 good invocations.)
    /// A storage fault (disk full, I/O error, a lock) is not any record's: it escapes, with what is not yet
    /// committed left in the batch, to the retry policy. Returns the number of records committed.
    /// </summary>
    private int WriteSettingAsideBadRecords(IBatchWriter writer)
    {
        var records = _batch.ToArray();
        var pieces = new Stack<(int Start, int Count)>();
        pieces.Push((0, records.Length));
        var committed = 0;
        var settled = 0; // committed or set aside: no longer in progress
        while (pieces.TryPop(out var piece))
        {
            var segment = new ArraySegment<InvocationRecord>(records, piece.Start, piece.Count);
            try
            {
                writer.Write(segment);
            }
            catch (Exception e) when (!IsStorageFault(e))
            {
                if (piece.Count == 1)
                {
                    var record = records[piece.Start];
                    var why = $"task {record.TaskId}: {e.GetType().Name}: {e.Message}";
                    Log.RecordSetAside(_logger, record.TaskId, e);
                    // Out of progress before it is counted, so received = flushed + dropped + queued never counts
                    // a record twice to whoever waits on the counter.
                    settled++;
                    _state.SetInProgress(records.Length - settled);
                    _counters.AddWriteFailed(why);
                    continue;
                }

                var half = piece.Count / 2;
                pieces.Push((piece.Start + half, piece.Count - half));
                pieces.Push((piece.Start, half));
                continue;
            }
            catch
            {
                // A storage fault: keep only what is still to write (this piece and those after it), for the retry.
                _batch.Clear();
                _batch.AddRange(segment);
                foreach (var rest in pieces)
                {
                    _batch.AddRange(new ArraySegment<InvocationRecord>(records, rest.Start, rest.Count));
                }

                _state.SetInProgress(_batch.Count);
                throw;
            }

            committed += piece.Count;
            settled += piece.Count;
            _state.SetInProgress(records.Length - settled);
            _counters.AddFlushed(piece.Count);
            _stream?.Publish(segment);
        }

        return committed;
    }

    /// <summary>
    /// Faults of the storage rather than of a record: retrying the same records later may succeed. SQLite's
    /// busy, locked, out-of-memory, read-only, I/O, corrupt, full, can't-open and protocol errors, and the OS's.
    /// </summary>
    internal static bool IsStorageFault(Exception e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode is 5 or 6 or 7 or 8 or 10 or 11 or 13 or 14 or 15 or 26,
        IOException or UnauthorizedAccessException or OutOfMemoryException => true,
        _ => false,
    };

    /// <summary>
    /// Once per idle tick at least, so retention runs under any load. Pending work (vacuum after a drop) runs
    /// sooner, one step between batches, but only while less than a batch waits: under pressure, writing wins.
    /// </summary>
    private bool MaintenanceDue() =>
        _time.GetElapsedTime(_lastMaintenanceTimestamp) >= _idleTick
        || (_maintenancePending && _channel.Count < _batchSize);

    private void Maintain(IBatchWriter writer, CancellationToken cancellationToken)
    {
        _state.SetStatus(FlushLoopStatus.Maintaining);
        var started = _time.GetTimestamp();
        Exception? error = null;
        _maintenancePending = false;
        try
        {
            _maintenancePending = writer.Maintain(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown arrived between two steps: skip the step, the drain still runs.
        }
        catch (Exception e)
        {
            error = e;
            Log.MaintenanceFailed(_logger, e);
        }

        _lastMaintenanceTimestamp = _time.GetTimestamp();
        var took = _time.GetElapsedTime(started);
        _state.MaintenanceDone(took, error);
        _metrics?.RecordMaintenance(took);
    }

    /// <summary>Drain to a mark (OpenTelemetry's shape): everything handed over before shutdown, within the budget.</summary>
    private void Drain(IBatchWriter writer)
    {
        _state.SetStatus(FlushLoopStatus.Draining);
        var unfinished = _tracker.FlushAll(_keepInFlightAtShutdown);
        _channel.Complete();
        var started = _time.GetTimestamp();
        using var budget = new CancellationTokenSource(_drainBudget, _time);
        while (!budget.IsCancellationRequested)
        {
            TakeIntoBatch();

            if (_batch.Count == 0)
            {
                break;
            }

            _state.SetInProgress(_batch.Count);
            WriteBatch(writer, budget.Token);
        }

        var left = _batch.Count + _channel.Count;
        if (left > 0)
        {
            _counters.AddDropped(DropReason.Shutdown, left);
            Clear();
            while (_channel.TryRead(out _))
            {
            }
        }

        if (_checkpointInterval > TimeSpan.Zero && !budget.IsCancellationRequested)
        {
            // Everything was written: the checkpoint rows of the tasks written at shutdown go too.
            Checkpoint(writer);
        }

        Log.Drained(_logger, unfinished, left, _time.GetElapsedTime(started));
    }

    private bool BatchFull => _batch.Count >= _batchSize || _batchBytes >= _channel.Budget.MaxBatchBytes;

    /// <summary>Fills the batch from the channel up to its size in records or in bytes.</summary>
    private void TakeIntoBatch()
    {
        while (!BatchFull && _channel.TryRead(out var record, out var bytes, out var seq))
        {
            if (_batch.Count == 0)
            {
                _batchFirstSeq = seq;
            }

            _batch.Add(record);
            _batchBytes += bytes;
        }
    }

    private void Clear()
    {
        _batch.Clear();
        _channel.Budget.AddWriting(-_batchBytes);
        _batchBytes = 0;
        _state.SetInProgress(0);
    }
}
