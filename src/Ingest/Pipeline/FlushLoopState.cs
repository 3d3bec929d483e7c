namespace Ingest.Pipeline;

/// <summary>
/// The state the flush loop publishes for probes and metrics: plain fields written by the loop's one thread
/// and read without locks by anyone. Reading it never touches SQLite (an incident: a health endpoint that
/// counted rows blocked the event loop and got the pod killed).
/// </summary>
public sealed class FlushLoopState
{
    private readonly TimeProvider _time;

    private int _status;
    private long _startedTimestamp;
    private long _lastSuccessTimestamp;
    private long _lastSuccessUnixMs;
    private int _inProgress;
    private int _consecutiveFailures;
    private string? _lastError;
    private long _lastBatchTicks;
    private long _maxBatchTicks;
    private int _lastBatchSize;
    private long _lastMaintenanceTicks;
    private long _maxMaintenanceTicks;
    private long _maxStallTicks;
    private long _maintenanceErrors;
    private long _lastFailureTimestamp;

    public FlushLoopState(TimeProvider time)
    {
        _time = time;
        _startedTimestamp = time.GetTimestamp();
    }

    public FlushLoopStatus Status => (FlushLoopStatus)Volatile.Read(ref _status);

    /// <summary>Records taken from the channel and not yet committed or dropped.</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public string? LastError => Volatile.Read(ref _lastError);

    public DateTimeOffset? LastSuccessAt => Volatile.Read(ref _lastSuccessUnixMs) is var ms && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Time since the last commit, or since the loop started if none yet.</summary>
    public TimeSpan SinceLastSuccess
    {
        get
        {
            var last = Volatile.Read(ref _lastSuccessTimestamp);
            return _time.GetElapsedTime(last != 0 ? last : Volatile.Read(ref _startedTimestamp));
        }
    }

    public TimeSpan LastBatchDuration => TimeSpan.FromTicks(Volatile.Read(ref _lastBatchTicks));

    /// <summary>The longest commit of a batch since start (with its retries' waits excluded).</summary>
    public TimeSpan MaxBatchDuration => TimeSpan.FromTicks(Volatile.Read(ref _maxBatchTicks));

    public int LastBatchSize => Volatile.Read(ref _lastBatchSize);

    public TimeSpan LastMaintenanceDuration => TimeSpan.FromTicks(Volatile.Read(ref _lastMaintenanceTicks));

    public TimeSpan MaxMaintenanceDuration => TimeSpan.FromTicks(Volatile.Read(ref _maxMaintenanceTicks));

    /// <summary>The longest time from one commit to the next write while records were waiting, since start.</summary>
    public TimeSpan MaxStall => TimeSpan.FromTicks(Volatile.Read(ref _maxStallTicks));

    public long MaintenanceErrors => Volatile.Read(ref _maintenanceErrors);


    internal void SetStatus(FlushLoopStatus status) => Volatile.Write(ref _status, (int)status);

    internal void Started() => Volatile.Write(ref _startedTimestamp, _time.GetTimestamp());

    internal void SetInProgress(int count) => Volatile.Write(ref _inProgress, count);

    internal void BatchSucceeded(int size, TimeSpan duration)
    {
        Volatile.Write(ref _lastSuccessTimestamp, _time.GetTimestamp());
        Volatile.Write(ref _lastSuccessUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Volatile.Write(ref _consecutiveFailures, 0);
        Volatile.Write(ref _lastBatchSize, size);
        Volatile.Write(ref _lastBatchTicks, duration.Ticks);
        if (duration.Ticks > Volatile.Read(ref _maxBatchTicks))
        {
            Volatile.Write(ref _maxBatchTicks, duration.Ticks);
        }
    }

    internal void RecordStall(TimeSpan stall)
    {
        if (stall.Ticks > Volatile.Read(ref _maxStallTicks))
        {
            Volatile.Write(ref _maxStallTicks, stall.Ticks);
        }
    }

    /// <summary>Time since the last failed commit, or null if none failed since the last success.</summary>
    public TimeSpan? SinceLastFailure =>
        ConsecutiveFailures > 0 && Volatile.Read(ref _lastFailureTimestamp) is var t && t != 0 ? _time.GetElapsedTime(t) : null;

    /// <summary>When the last commit failed (a <see cref="TimeProvider"/> timestamp), 0 if none has.</summary>
    internal long LastFailureTimestamp => Volatile.Read(ref _lastFailureTimestamp);

    internal void BatchFailed(Exception error)
    {
        Volatile.Write(ref _lastFailureTimestamp, _time.GetTimestamp());
        Interlocked.Increment(ref _consecutiveFailures);
        Volatile.Write(ref _lastError, $"{error.GetType().Name}: {error.Message}");
    }

    /// <summary>Write probes run since start while commits were failing and nothing waited, and how many of them failed.</summary>
    public long WriteProbes => Volatile.Read(ref _writeProbes);

    public long WriteProbesFailed => Volatile.Read(ref _writeProbesFailed);

    private long _writeProbes;
    private long _writeProbesFailed;

    /// <summary>
    /// A probe wrote: the store takes writes again, so the failures in a row end here, as a commit would end them
    /// (the last error stays, as history). Not a success of a batch: no invocation was written.
    /// </summary>
    internal void ProbeSucceeded()
    {
        Interlocked.Increment(ref _writeProbes);
        Volatile.Write(ref _consecutiveFailures, 0);
    }

    /// <summary>A probe failed too: the failures in a row stand, and no sender is refused longer for it.</summary>
    internal void ProbeFailed()
    {
        Interlocked.Increment(ref _writeProbes);
        Interlocked.Increment(ref _writeProbesFailed);
    }

    /// <summary>Checkpoints committed since start.</summary>
    public long Checkpoints => Volatile.Read(ref _checkpoints);

    /// <summary>Checkpoint rows written and deleted since start.</summary>
    public long CheckpointUpserts => Volatile.Read(ref _checkpointUpserts);

    public long CheckpointDeletes => Volatile.Read(ref _checkpointDeletes);

    private long _checkpoints;
    private long _checkpointUpserts;
    private long _checkpointDeletes;

    internal void CheckpointDone(int upserts, int deletes)
    {
        Interlocked.Increment(ref _checkpoints);
        Interlocked.Add(ref _checkpointUpserts, upserts);
        Interlocked.Add(ref _checkpointDeletes, deletes);
    }

    internal void MaintenanceDone(TimeSpan duration, Exception? error)
    {
        Volatile.Write(ref _lastMaintenanceTicks, duration.Ticks);
        if (duration.Ticks > Volatile.Read(ref _maxMaintenanceTicks))
        {
            Volatile.Write(ref _maxMaintenanceTicks, duration.Ticks);
        }

        if (error is not null)
        {
            Interlocked.Increment(ref _maintenanceErrors);
            Volatile.Write(ref _lastError, $"maintenance: {error.GetType().Name}: {error.Message}");
        }
    }

    internal void Failed(Exception error)
    {
        Volatile.Write(ref _lastError, $"{error.GetType().Name}: {error.Message}");
        SetStatus(FlushLoopStatus.Failed);
    }
}
