using Ingest.Storage.Audit;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>
/// The control audit trail (issue 27): entries waiting in the <see cref="AuditBuffer"/>, written in a short transaction
/// of their own between batches, as queue samples are. A failed write loses its entries, counted and logged: the loop
/// never retries at the cost of the invocations waiting, and each action was already counted in the metrics.
/// </summary>
internal sealed partial class AuditStep
{
    /// <summary>Most entries one step writes (the queue's capacity is a few such steps).</summary>
    public const int MaxEntries = 1000;

    private readonly AuditBuffer? _queue;
    private readonly ILogger _logger;

    /// <param name="queue">The queue the control routes fill; none when nothing is audited (tests, replay).</param>
    /// <param name="logger">Where a failed write is logged.</param>
    public AuditStep(AuditBuffer? queue, ILogger logger)
    {
        _queue = queue;
        _logger = logger;
    }

    /// <summary>Entries wait to be written.</summary>
    public bool Waiting => _queue is { Count: > 0 };

    /// <summary>Writes up to <see cref="MaxEntries"/> waiting entries, or counts them lost.</summary>
    public void Run(IBatchWriter writer)
    {
        var entries = _queue!.Take(MaxEntries);
        try
        {
            writer.WriteAudit(entries);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _queue.MarkFailed(entries.Count);
            AuditFailed(_logger, entries.Count, e);
        }
    }

    // Kept here, not in the shared Log class: the audit trail's one message.
    [LoggerMessage(1271, LogLevel.Warning, "Could not store {Count} control audit entries (lost, counted): the invocations go on.")]
    private static partial void AuditFailed(ILogger logger, int count, Exception exception);
}
