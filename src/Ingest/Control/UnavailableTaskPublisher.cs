namespace Ingest.Control;

/// <summary>The publisher when Ingest has no broker to send through (HTTP ingest or replay only): says so on every call.</summary>
public sealed class UnavailableTaskPublisher : ITaskPublisher
{
    /// <summary>The sentence every refused message carries.</summary>
    public const string Reason =
        "no broker is configured to publish tasks to: start Ingest with --broker, --amqp or --redis (the broker Celery's workers use)";

    /// <inheritdoc/>
    public bool Available => false;

    /// <inheritdoc/>
    public Task PublishAsync(TaskMessage message, CancellationToken cancellationToken) =>
        Task.FromException(new ControlUnavailableException(Reason));
}
