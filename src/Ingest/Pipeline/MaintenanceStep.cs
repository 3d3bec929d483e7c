using Ingest.Accounting;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// One short maintenance step of the writer's (partition creation, retention, a vacuum step) between batches,
/// never beside a write.
/// </summary>
internal sealed class MaintenanceStep
{
    private readonly InvocationChannel _channel;
    private readonly FlushLoopState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTick;
    private readonly int _batchSize;
    private readonly IFlushObserver? _metrics;
    private readonly ILogger _logger;
    private long _lastRunTimestamp;

    public MaintenanceStep(
        InvocationChannel channel,
        FlushLoopState state,
        TimeProvider time,
        TimeSpan idleTick,
        int batchSize,
        IFlushObserver? metrics,
        ILogger logger)
    {
        _channel = channel;
        _state = state;
        _time = time;
        _idleTick = idleTick;
        _batchSize = batchSize;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The writer said more maintenance waits (tomorrow's partition, a vacuum step after a drop).</summary>
    public bool Pending { get; private set; }

    /// <summary>
    /// Once per idle tick at least, so retention runs under any load. Pending work (vacuum after a drop) runs
    /// sooner, one step between batches, but only while less than a batch waits: under pressure, writing wins.
    /// </summary>
    public bool Due =>
        _time.GetElapsedTime(_lastRunTimestamp) >= _idleTick
        || (Pending && _channel.Count < _batchSize);

    /// <summary>Runs one step, timed; a failure is logged and counted, and the loop goes on.</summary>
    public void Run(IBatchWriter writer, CancellationToken cancellationToken)
    {
        _state.SetStatus(FlushLoopStatus.Maintaining);
        var started = _time.GetTimestamp();
        Exception? error = null;
        Pending = false;
        try
        {
            Pending = writer.Maintain(cancellationToken);
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

        _lastRunTimestamp = _time.GetTimestamp();
        var took = _time.GetElapsedTime(started);
        _state.MaintenanceDone(took, error);
        _metrics?.RecordMaintenance(took);
    }
}
