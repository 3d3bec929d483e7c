using System.Text.Json;
using StackExchange.Redis;

namespace Ingest.Control;

/// <summary>
/// Publishes task messages through kombu's Redis transport as Celery's <c>send_task</c> does for a direct queue: the
/// default exchange routes to the queue itself, so the message is an LPUSH of kombu's JSON envelope onto the
/// queue's list (priority 0 is the list named as the queue; workers BRPOP it). Through the remote control's
/// multiplexer: one connection to Redis.
/// </summary>
public sealed class RedisTaskPublisher : ITaskPublisher
{
    private readonly RedisFleetControl _control;
    private readonly string _keyPrefix;
    private readonly TimeProvider _time;

    /// <summary>A publisher through the Redis (and connection) of <paramref name="control"/>; <paramref name="keyPrefix"/> is kombu's <c>global_keyprefix</c>.</summary>
    public RedisTaskPublisher(RedisFleetControl control, string keyPrefix, TimeProvider time)
    {
        _control = control ?? throw new ArgumentNullException(nameof(control));
        _keyPrefix = keyPrefix ?? string.Empty;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc/>
    public bool Available => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The message is too large or malformed (the reason says which).</exception>
    public async Task PublishAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        var task = CeleryTaskMessage.From(message, _time);
        var envelope = Envelope(task, Guid.NewGuid());
        var db = await _control.DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await _control.GuardAsync(() => db.ListLeftPushAsync(_keyPrefix + task.Queue, envelope)).ConfigureAwait(false);
    }

    /// <summary>
    /// kombu's envelope for <paramref name="task"/>: the body base64-encoded, the AMQP properties as labels, and the
    /// <c>delivery_info</c> and <c>delivery_tag</c> <c>basic_publish</c> adds.
    /// </summary>
    internal static byte[] Envelope(CeleryTaskMessage task, Guid deliveryTag)
    {
        ArgumentNullException.ThrowIfNull(task);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("body", Convert.ToBase64String(task.Body));
            w.WriteString("content-encoding", CeleryTaskMessage.ContentEncoding);
            w.WriteString("content-type", CeleryTaskMessage.ContentType);
            w.WritePropertyName("headers");
            task.WriteHeaders(w);
            w.WriteStartObject("properties");
            w.WriteString("correlation_id", task.Id);
            w.WriteString("reply_to", string.Empty);
            w.WriteNumber("delivery_mode", 2);
            if (task.Expiration is { } expiration)
            {
                w.WriteString("expiration", expiration);
            }

            w.WriteStartObject("delivery_info");
            w.WriteString("exchange", string.Empty);
            w.WriteString("routing_key", task.Queue);
            w.WriteEndObject();
            w.WriteNumber("priority", 0);
            w.WriteString("body_encoding", "base64");
            w.WriteString("delivery_tag", deliveryTag.ToString());
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }
}
