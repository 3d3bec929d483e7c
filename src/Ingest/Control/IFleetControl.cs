namespace Ingest.Control;

/// <summary>
/// Celery's remote control (issue 27): a command broadcast on the <c>celery.pidbox</c> exchange of the broker Ingest
/// consumes from, and the workers' replies collected on <c>reply.celery.pidbox</c> until the deadline. One
/// implementation per broker (AMQP, kombu's Redis transport); the Flower API, the console and the audit trail only see
/// this seam.
/// </summary>
public interface IFleetControl
{
    /// <summary>True when a broker is configured that commands can be sent through.</summary>
    bool Available { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and, when it expects a reply, collects replies until every named destination has
    /// answered or <see cref="ControlRequest.Timeout"/> passes. Never throws for workers that do not answer: they are
    /// named in <see cref="ControlResult.Missing"/>. Throws <see cref="ControlUnavailableException"/> when the broker
    /// cannot be reached.
    /// </summary>
    Task<ControlResult> SendAsync(ControlRequest request, CancellationToken cancellationToken);
}
