namespace Ingest.Control;

/// <summary>
/// Sends a task message (Celery's protocol 2) to a queue through the broker: Flower's <c>send-task</c> and
/// <c>async-apply</c> (issue 27), and the console's "run again". One implementation per broker.
/// </summary>
public interface ITaskPublisher
{
    /// <summary>True when a broker is configured that messages can be published to.</summary>
    bool Available { get; }

    /// <summary>Publishes the message; throws <see cref="ControlUnavailableException"/> when the broker cannot be reached.</summary>
    Task PublishAsync(TaskMessage message, CancellationToken cancellationToken);
}
