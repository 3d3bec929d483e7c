using RabbitMQ.Client;

namespace Ingest.Control;

/// <summary>
/// Publishes task messages to RabbitMQ as Celery's <c>send_task</c> does for a direct queue: the queue declared
/// durable (as <c>kombu</c> declares it, so a queue no worker has declared yet keeps the task), then the message,
/// persistent, on the default exchange with the queue as routing key. Through the remote control's connection:
/// one connection to the broker, one short-lived channel per message.
/// </summary>
public sealed class AmqpTaskPublisher : ITaskPublisher
{
    private readonly AmqpFleetControl _control;
    private readonly TimeProvider _time;

    /// <summary>A publisher through the broker (and connection) of <paramref name="control"/>.</summary>
    public AmqpTaskPublisher(AmqpFleetControl control, TimeProvider time)
    {
        _control = control ?? throw new ArgumentNullException(nameof(control));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc/>
    public bool Available => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The message is too large or malformed (the reason says which).</exception>
    public async Task PublishAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        var task = CeleryTaskMessage.From(message, _time);
        await _control.UsingChannelAsync(async channel =>
        {
            await channel.QueueDeclareAsync(task.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            // No publisher confirm: the channel's close, which waits for the broker's close-ok, comes after the broker
            // has routed the publish before it on the same channel.
            await channel.BasicPublishAsync(string.Empty, task.Queue, mandatory: false, Properties(task), task.Body, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The AMQP properties Celery sets on a task message.</summary>
    internal static BasicProperties Properties(CeleryTaskMessage task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in task.Headers)
        {
            headers[name] = value;
        }

        return new BasicProperties
        {
            ContentType = CeleryTaskMessage.ContentType,
            ContentEncoding = CeleryTaskMessage.ContentEncoding,
            DeliveryMode = DeliveryModes.Persistent,
            CorrelationId = task.Id,
            Expiration = task.Expiration,
            Headers = headers,
        };
    }
}
