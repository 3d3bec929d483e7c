using Ingest.Accounting;
using Ingest.Decoding;
using Ingest.Pipeline;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ingest.Sources.Amqp;

/// <summary>
/// The connection to the broker, the consuming channel and its consumer, and the acknowledgements sent on it.
/// Declares the exchange as Celery does (topic, durable, not auto-delete, so it works before any worker starts)
/// and its own durable queue with a TTL, a max length with drop-head overflow and an expiry, so that a stopped
/// Ingest costs the broker a bounded amount. Decodes each delivery before the handler returns (the body is rented
/// memory), then acknowledges in groups, as the <see cref="DeliveryAckLedger"/> allows.
/// </summary>
public sealed class AmqpSubscription : IAsyncDisposable
{
    private readonly AmqpOptions _options;
    private readonly string _queue;
    private readonly EventIngestor _ingestor;
    private readonly AmqpSourceStatus _status;
    private readonly DeliveryAckLedger _ledger;
    private readonly Tracking.TaskTracker? _tracker;
    private readonly DurableWatermark? _durable;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _ackLock = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;
    private volatile bool _resubscribe;

    /// <summary>
    /// A subscription to <paramref name="queue"/>; <paramref name="tracker"/> and <paramref name="durable"/> are
    /// given only when acks wait for the commit (at least once). <paramref name="stopping"/> is the host's stop.
    /// </summary>
    public AmqpSubscription(AmqpOptions options, string queue, EventIngestor ingestor, AmqpSourceStatus status, DeliveryAckLedger ledger,
        Tracking.TaskTracker? tracker, DurableWatermark? durable, ILogger logger, CancellationToken stopping)
    {
        _options = options;
        _queue = queue;
        _ingestor = ingestor;
        _status = status;
        _ledger = ledger;
        _tracker = tracker;
        _durable = durable;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>The connection, once made (the client recovers it by itself after a drop).</summary>
    public IConnection? Connection => _connection;

    /// <summary>True when the broker cancelled the consumer or closed its channel on a live connection: start it again.</summary>
    public bool ResubscribeDue => _resubscribe;

    /// <summary>Whether a channel shutdown is the broker's doing on a live connection (the resubscribe path's, not recovery's).</summary>
    internal static bool IsChannelClosedByBroker(ShutdownEventArgs e, bool connectionOpen) =>
        connectionOpen && e.Initiator == ShutdownInitiator.Peer;

    /// <summary>Connects with automatic recovery, then subscribes. Throws when the broker cannot be reached.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(_options.Url!),
            ClientProvidedName = $"ingest@{Environment.MachineName}",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
        };
        _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        _connection.ConnectionShutdownAsync += (_, e) =>
        {
            if (!_stopping.IsCancellationRequested)
            {
                _resubscribe = false;
                _status.MarkDown(AmqpState.Reconnecting, $"connection lost: {e.ReplyText}");
                Log.AmqpConnectionLost(_logger, e.ReplyText);
            }

            return Task.CompletedTask;
        };
        _connection.RecoverySucceededAsync += (_, _) =>
        {
            _status.Reconnected();
            _ledger.NewChannel(); // the old channel's tags are void; the broker redelivers those messages
            _status.MarkUp();
            Log.AmqpRecovered(_logger);
            return Task.CompletedTask;
        };
        _connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            _status.LastError = $"recovery failed: {e.Exception.Message}";
            return Task.CompletedTask;
        };

        await SubscribeAsync(cancellationToken).ConfigureAwait(false);
        Log.AmqpConnected(_logger, _queue, _options.Exchange, _options.Bindings);
    }

    /// <summary>Opens a channel (a new one if the last was closed), declares exchange and queue, binds, and consumes.</summary>
    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var connection = _connection!;
        if (_channel is { } old)
        {
            // Always a new channel, so a resubscribe can never leave two consumers on one (each message twice).
            _channel = null;
            try
            {
                await old.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                Log.AmqpCloseFailed(_logger, e);
            }

            await old.DisposeAsync().ConfigureAwait(false);
        }

        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _channel = channel;
        channel.ChannelShutdownAsync += (_, e) =>
        {
            if (IsChannelClosedByBroker(e, connection.IsOpen))
            {
                LostSubscription($"channel closed by the broker: {e.ReplyCode} {e.ReplyText}", _status.ChannelClosed);
            }

            return Task.CompletedTask;
        };

        // Tags restart on a new channel: acks of the old one are void (those messages are redelivered).
        _ledger.NewChannel();

        _resubscribe = false;
        await channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        var arguments = new Dictionary<string, object?>
        {
            ["x-message-ttl"] = (long)_options.MessageTtl.TotalMilliseconds,
            ["x-max-length"] = (long)_options.MaxQueueLength,
            ["x-overflow"] = "drop-head",
            ["x-expires"] = (long)_options.QueueExpires.TotalMilliseconds,
        };
        await channel.QueueDeclareAsync(_queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var key in _options.BindingKeys)
        {
            await channel.QueueBindAsync(_queue, _options.Exchange, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await channel.BasicQosAsync(0, (ushort)_options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += OnDeliveryAsync;
        consumer.UnregisteredAsync += (_, e) =>
        {
            // Our own cancel only happens at stop; any other is the broker's (queue deleted).
            LostSubscription($"consumer cancelled by the broker ({string.Join(", ", e.ConsumerTags)}): its queue was deleted or changed", _status.ConsumerCancelled);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(_queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        _status.MarkUp();
    }

    /// <summary>One multiple-ack up to the last delivery that may be acknowledged.</summary>
    public async Task AckOutstandingAsync(CancellationToken cancellationToken)
    {
        var channel = _channel;
        if (channel is null || !channel.IsOpen)
        {
            return;
        }

        await _ackLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tag = _ledger.TakeAckable(_durable?.Value ?? 0);
            if (tag > 0)
            {
                await channel.BasicAckAsync(tag, multiple: true, cancellationToken).ConfigureAwait(false);
                _ledger.Acked(tag);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // The channel closed under us; those messages are redelivered after recovery.
            _status.LastError = $"ack failed: {e.Message}";
        }
        finally
        {
            _ackLock.Release();
        }
    }

    /// <summary>At stop: closes the channel, then the connection (each only if there is one).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_channel is not null)
        {
            await _channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After a failed connect: drops what was made of it, so the next attempt starts clean.</summary>
    public async Task DisposeConnectionAsync()
    {
        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.AmqpCloseFailed(_logger, e);
        }

        _channel = null;
        _connection = null;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A consumer cancelled by the broker (its queue deleted, a policy that removed it) or a channel the broker
    /// closed while the connection stays up is not something the client's connection recovery sees: the source
    /// would say "connected" and consume nothing (issue 12). Both are counted and start a resubscribe.
    /// </summary>
    private void LostSubscription(string why, Action count)
    {
        // A broker going down cancels consumers and closes channels on its way: that is connection recovery's
        // case, and the client recovers the consumer with the connection.
        if (_stopping.IsCancellationRequested || _status.State == AmqpState.Reconnecting || _connection is not { IsOpen: true })
        {
            return;
        }

        count();
        _status.MarkDown(AmqpState.Resubscribing, why);
        _resubscribe = true;
        Log.AmqpSubscriptionLost(_logger, why);
    }

    /// <summary>
    /// What a delivery says it is: its content type and encoding properties, and the <c>compression</c> header
    /// kombu sets when a producer compresses (AMQP sends header strings as bytes).
    /// </summary>
    internal static BodyContent Content(IReadOnlyBasicProperties properties)
    {
        string? compression = null;
        if (properties.Headers?.TryGetValue("compression", out var value) == true)
        {
            compression = value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                string text => text,
                null => null,
                _ => $"({value.GetType().Name})",
            };
        }

        return new BodyContent(properties.ContentType, properties.ContentEncoding, compression);
    }

    private async Task OnDeliveryAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var generation = _ledger.Generation;
        // The body is rented and valid only until this handler returns: decode it now, keep nothing of it.
        var decoded = _ingestor.Ingest(delivery.Body.Span, "amqp", content: Content(delivery.BasicProperties));
        _status.Delivery(malformed: decoded.MalformedError is not null);
        if (_ledger.Delivered(delivery.DeliveryTag, _tracker?.AppliedSeq ?? 0, generation))
        {
            // A group is due: under at-least-once, ask for a checkpoint now rather than at the next interval, so
            // the prefetch window never fills waiting for one.
            _durable?.Request();
            await AckOutstandingAsync(delivery.CancellationToken).ConfigureAwait(false);
        }
    }
}
