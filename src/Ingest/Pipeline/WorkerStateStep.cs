using Ingest.Storage.Workers;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// Worker states (issue 25): restored from storage before the sources start, so the Workers page survives a
/// restart and shows a replayed capture's workers; then written between batches, as the audit trail is, at most
/// once per <see cref="Interval"/> (a fleet of heartbeating workers costs one short transaction per interval, not
/// one per heartbeat). A failed write loses its states, counted and logged: the next heartbeat brings newer ones.
/// </summary>
internal sealed partial class WorkerStateStep
{
    /// <summary>Shortest time between two writes of waiting states; the shutdown drain writes regardless.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Most workers read back at start (the registry's default bound).</summary>
    public const int MaxRestored = 10_000;

    private readonly WorkerStateBuffer? _buffer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastWrite;

    /// <param name="buffer">The buffer the registry fills; none when workers are not kept (tests).</param>
    /// <param name="time">The clock the interval is measured on.</param>
    /// <param name="logger">Where a failed write or restore is logged.</param>
    public WorkerStateStep(WorkerStateBuffer? buffer, TimeProvider time, ILogger logger)
    {
        _buffer = buffer;
        _time = time;
        _logger = logger;
        _lastWrite = time.GetTimestamp();
    }

    /// <summary>States wait and the interval since the last write has passed.</summary>
    public bool Due => Waiting && _time.GetElapsedTime(_lastWrite) >= Interval;

    /// <summary>States wait to be written.</summary>
    public bool Waiting => _buffer is { Count: > 0 };

    /// <summary>Reads the stored states back and hands them to the registry; a failure leaves the registry empty, logged.</summary>
    public void Restore(IBatchWriter writer)
    {
        if (_buffer is null)
        {
            return;
        }

        try
        {
            _buffer.Restore(writer.ReadWorkers(MaxRestored));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            RestoreFailed(_logger, e);
        }
    }

    /// <summary>Writes every waiting state, or counts them lost.</summary>
    public void Run(IBatchWriter writer)
    {
        _lastWrite = _time.GetTimestamp();
        var rows = _buffer!.TakeAll();
        try
        {
            writer.WriteWorkers(rows);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _buffer.MarkFailed(rows.Count);
            WriteFailed(_logger, rows.Count, e);
        }
    }

    // Kept here, not in the shared Log class: the worker table's own messages.
    [LoggerMessage(1281, LogLevel.Warning, "Could not store the state of {Count} workers (lost, counted): the invocations go on.")]
    private static partial void WriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(1282, LogLevel.Warning, "Could not read the stored workers back: the Workers page fills again as heartbeats arrive.")]
    private static partial void RestoreFailed(ILogger logger, Exception exception);
}
