using System.Text;
using Ingest.Sources.Amqp;
using Ingest.Tracking;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Ingest.Control;

/// <summary>
/// Celery's remote control over RabbitMQ, on a connection of its own (a slow or failed command never stalls the
/// event consumer's channel). Per command: a channel, a server-side exclusive auto-delete reply queue bound to
/// <c>reply.{namespace}.pidbox</c> with the ticket, the command published transient on the fanout
/// <c>{namespace}.pidbox</c>; closing the channel cancels the consumer and the broker deletes the queue.
/// </summary>
public sealed class AmqpFleetControl : PidboxFleetControl
{
    private readonly ConnectionFactory _factory;
    private readonly string _display;

    /// <summary>A control through the broker of <paramref name="amqp"/>.</summary>
    public AmqpFleetControl(AmqpOptions amqp, ControlOptions options, WorkerRegistry? registry, TimeProvider time, ILogger<AmqpFleetControl> logger)
        : base(options, registry, time, logger)
    {
        ArgumentNullException.ThrowIfNull(amqp);
        var uri = new Uri(amqp.Url ?? throw new ArgumentException("no AMQP URL", nameof(amqp)));
        _display = $"RabbitMQ at {uri.Scheme}://{uri.Host}:{uri.Port}{uri.AbsolutePath}";
        _factory = new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = $"ingest-control@{Environment.MachineName}",
            // Reconnected on the next command instead: recovery would replay a dead command's reply queue.
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
        };
    }

    /// <inheritdoc/>
    protected override async Task CastAsync(byte[] body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await UsingChannelAsync(async channel =>
        {
            await channel.ExchangeDeclareAsync(Options.Exchange, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            await PublishAsync(channel, body, timeout, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    internal override async Task CallAsync(byte[] body, string ticket, ReplyCollector collector, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await UsingChannelAsync(async channel =>
        {
            // Both exchanges as kombu declares them (transient, not auto-deleted): a declaration that differs from
            // the workers' would close the channel with PRECONDITION_FAILED.
            await channel.ExchangeDeclareAsync(Options.Exchange, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.ExchangeDeclareAsync(Options.ReplyExchange, ExchangeType.Direct, durable: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            var queue = $"ingest.{ticket}.{Options.ReplyExchange}";
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.QueueBindAsync(queue, Options.ReplyExchange, ticket, cancellationToken: cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                var headers = delivery.BasicProperties.Headers;
                if (headers?.TryGetValue("clock", out var clock) == true && clock is long or int)
                {
                    Clock.Adjust(Convert.ToInt64(clock, System.Globalization.CultureInfo.InvariantCulture));
                }

                var replyTicket = headers?.TryGetValue("ticket", out var t) == true ? t switch
                {
                    byte[] bytes => Encoding.UTF8.GetString(bytes),
                    string s => s,
                    _ => null,
                } : null;
                collector.Offer(delivery.Body.Span, replyTicket);
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            await PublishAsync(channel, body, timeout, cancellationToken).ConfigureAwait(false);
            try
            {
                await collector.Completed.WaitAsync(timeout, Time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The deadline: whoever has not answered is named missing.
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(IChannel channel, byte[] body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Transient,
            Headers = new Dictionary<string, object?>
            {
                ["clock"] = Clock.Forward(),
                ["expires"] = PidboxMessage.Expires(Time, timeout),
            },
        };
        await channel.BasicPublishAsync(Options.Exchange, string.Empty, mandatory: false, properties, body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new channel of the shared connection and closes it; broker failures become
    /// <see cref="ControlUnavailableException"/>. The task publisher sends through here too: one connection kind.
    /// </summary>
    internal async Task UsingChannelAsync(Func<IChannel, Task> action, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await ConnectionAsync(ct => _factory.CreateConnectionAsync(ct), c => c.IsOpen, cancellationToken).ConfigureAwait(false);
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                await action(channel).ConfigureAwait(false);
                if (channel.IsOpen)
                {
                    await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is RabbitMQClientException or IOException or System.Net.Sockets.SocketException)
        {
            throw Unreachable(_display, e);
        }
    }
}
