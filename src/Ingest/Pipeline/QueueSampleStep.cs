using Ingest.Accounting;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// The broker's queue samples: a few rows per sampling interval, in a short transaction of their own between
/// batches. A failed write loses its samples, counted (they are readings, not invocations: the next interval
/// brings new ones, and the loop never retries at the cost of the invocations waiting).
/// </summary>
internal sealed class QueueSampleStep
{
    private readonly QueueSampleBuffer? _samples;
    private readonly ILogger _logger;

    /// <param name="samples">The sampler's buffer; none when queues are not sampled.</param>
    /// <param name="logger">Where a failed write is logged.</param>
    public QueueSampleStep(QueueSampleBuffer? samples, ILogger logger)
    {
        _samples = samples;
        _logger = logger;
    }

    /// <summary>Samples wait to be written.</summary>
    public bool Waiting => _samples is { Count: > 0 };

    /// <summary>Writes the waiting samples (up to the buffer's capacity), or counts them lost.</summary>
    public void Run(IBatchWriter writer)
    {
        var samples = _samples!.Take(QueueSampleBuffer.Capacity);
        try
        {
            writer.WriteQueueSamples(samples);
            _samples.MarkWritten(samples.Count);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _samples.MarkFailed(samples.Count);
            Log.QueueSamplesFailed(_logger, samples.Count, e);
        }
    }
}
