namespace Ingest.Control;

/// <summary>The control when Ingest has no broker to send through (HTTP ingest or replay only): says so on every call.</summary>
public sealed class UnavailableFleetControl : IFleetControl
{
    /// <summary>The sentence every refused command carries.</summary>
    public const string Reason =
        "no broker is configured to send commands through: start Ingest with --broker, --amqp or --redis (the broker Celery's workers use)";

    /// <inheritdoc/>
    public bool Available => false;

    /// <inheritdoc/>
    public Task<ControlResult> SendAsync(ControlRequest request, CancellationToken cancellationToken) =>
        Task.FromException<ControlResult>(new ControlUnavailableException(Reason));
}
