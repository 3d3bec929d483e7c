using Ingest.Diagnostics;
using Ingest.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Ingest.Sources.Amqp;

/// <summary>
/// Consumes the <c>celeryev</c> exchange. Declares the exchange as Celery does (topic, durable, not auto-delete,
/// so it works before any worker starts) and its own durable queue with a TTL, a max length with drop-head
/// overflow and an expiry, so that a stopped Ingest costs the broker a bounded amount. Decodes each delivery
/// before the handler returns (the body is rented memory), then acknowledges in groups.
/// Delivery guarantee: a message is acked once its events are decoded and merged into the tracker, not when
/// they reach SQLite; the tracker and channel are in memory, so a crash loses what they held (at most once).
/// A broker that is down at start is retried with backoff; later drops are recovered by the client.
/// </summary>
public sealed class AmqpSource : IHostedService, IHealthContributor, IAsyncDisposable, Queues.IQueueLengthProbe
{
    // Queue lengths are asked on a channel of their own: a passive declare of a queue the broker does not have
    // closes its channel (404), which must never be the consuming one.
    private IChannel? _probeChannel;
    private readonly SemaphoreSlim _probeLock = new(1, 1);

    private readonly AmqpOptions _options;
    private readonly EventIngestor _ingestor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _ackLock = new(1, 1);
    private Task? _run;
    private IConnection? _connection;
    private IChannel? _channel;
    private ulong _lastDeliveryTag;
    private ulong _lastAckedTag;

    private volatile AmqpState _state = AmqpState.Starting;
    private volatile bool _resubscribe;
    private long _consumerCancels;
    private long _channelCloses;
    private long _resubscribes;
    private volatile string? _lastError;
    private long _downSinceUnixMs;
    private long _deliveries;
    private long _malformed;
    private long _reconnects;
    private long _connectAttempts;

    private readonly string _queue;

    // At least once (issue 13): each delivery with the tracker's applied sequence after it; acknowledged once the
    // durable watermark passes that sequence. At most a prefetch of entries: the broker sends no more unacked.
    private readonly System.Collections.Concurrent.ConcurrentQueue<(ulong Tag, long Seq, int Generation)> _awaitingDurable = new();

    // Bumped with every new channel (resubscribe, recovery): a tag from an older one must never be acknowledged
    // on the new one, where it names another delivery.
    private int _generation;
    private readonly Tracking.TaskTracker? _tracker;
    private readonly DurableWatermark? _durable;

    public AmqpSource(AmqpOptions options, Ingest.Storage.StorageOptions storage, EventIngestor ingestor, TimeProvider time, ILogger<AmqpSource> logger,
        PipelineOptions? pipeline = null, Tracking.TaskTracker? tracker = null, DurableWatermark? durable = null)
    {
        // Acknowledge after commit when the checkpoint runs; without it, after the merge (at most once).
        if (pipeline is { CheckpointInterval.Ticks: > 0 } && tracker is not null && durable is not null)
        {
            _tracker = tracker;
            _durable = durable;
        }

        _options = options;
        _queue = options.QueueNameFor(storage.DatabasePath);
        _ingestor = ingestor;
        _time = time;
        _logger = logger;
    }

    public string Name => "amqp";

    public AmqpState State => _state;

    public long Deliveries => Interlocked.Read(ref _deliveries);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public bool IsConnected => _state == AmqpState.Connected;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        try
        {
            if (_durable is not null && _tracker is not null)
            {
                // The flush loop stops after this source: ask it to make what was applied durable, so that what
                // can be acknowledged is, and a restart has little to be redelivered.
                await _durable.WaitAsync(_tracker.AppliedSeq, TimeSpan.FromSeconds(5), _time, CancellationToken.None).ConfigureAwait(false);
            }

            await AckOutstandingAsync(CancellationToken.None).ConfigureAwait(false);
            if (_channel is not null)
            {
                await _channel.CloseAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_connection is not null)
            {
                await _connection.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.AmqpCloseFailed(_logger, e);
        }

        _state = AmqpState.Stopped;
    }

    public IEnumerable<string> DegradedReasons()
    {
        if (_state is AmqpState.Connecting or AmqpState.Reconnecting or AmqpState.Resubscribing)
        {
            var since = Interlocked.Read(ref _downSinceUnixMs);
            var age = since > 0 ? (_time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(since)).TotalSeconds : 0;
            yield return _state == AmqpState.Resubscribing
                ? $"broker connected but not consuming for {age:F0} s: {_lastError}"
                : $"broker not connected for {age:F0} s: {_lastError ?? "connecting"}";
        }
    }

    public object Describe() => new
    {
        state = _state.ToString().ToLowerInvariant(),
        queue = _queue,
        exchange = _options.Exchange,
        bindings = _options.BindingKeys,
        down_since = Interlocked.Read(ref _downSinceUnixMs) is var ms && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null,
        last_error = _lastError,
        deliveries = Deliveries,
        delivery = _durable is null ? "at most once (acknowledged after the merge)" : "at least once (acknowledged after the commit)",
        awaiting_durable = _awaitingDurable.Count,
        malformed_messages = Interlocked.Read(ref _malformed),
        reconnects = Reconnects,
        consumer_cancels = Interlocked.Read(ref _consumerCancels),
        channel_closes = Interlocked.Read(ref _channelCloses),
        resubscribes = Interlocked.Read(ref _resubscribes),
        connect_attempts = Interlocked.Read(ref _connectAttempts),
    };

    bool Queues.IQueueLengthProbe.CanMeasure => _state == AmqpState.Connected && _connection is { IsOpen: true };

    /// <summary>
    /// Each queue's message and consumer counts by passive declare, as celery-exporter asks them. A queue the
    /// broker does not have reads as missing (its 404 closes the probe channel; the next queue gets a new one).
    /// </summary>
    public async Task<IReadOnlyList<Queues.QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var readings = new List<Queues.QueueReading>(queues.Count);
            foreach (var queue in queues)
            {
                if (_probeChannel is not { IsOpen: true })
                {
                    if (_probeChannel is not null)
                    {
                        await _probeChannel.DisposeAsync().ConfigureAwait(false);
                    }

                    var connection = _connection ?? throw new InvalidOperationException("not connected");
                    _probeChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    var ok = await _probeChannel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                    readings.Add(new(queue, ok.MessageCount, (int)Math.Min(ok.ConsumerCount, int.MaxValue)));
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    readings.Add(new(queue, null, null));
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    // Refused for this queue only (403: the user may not read it): no reading for it, the others go on.
                }
            }

            return readings;
        }
        finally
        {
            _probeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_probeChannel is not null)
        {
            await _probeChannel.DisposeAsync().ConfigureAwait(false);
        }

        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        MarkDown(AmqpState.Connecting, null);
        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                Interlocked.Increment(ref _connectAttempts);
                await ConnectAsync(stopping).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A broker that is down at startup stops nothing else: HTTP, reads and /healthz carry on.
                _lastError = $"{e.GetType().Name}: {e.Message}";
                Log.AmqpConnectFailed(_logger, _options.Exchange, delay, e);
                await DisposeConnectionAsync().ConfigureAwait(false);
                try
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }

        // Acks that were due while messages stopped arriving are sent on a timer; a consumer the broker cancelled,
        // or a channel it closed, is started again from here.
        using var timer = new PeriodicTimer(_options.AckInterval, _time);
        var retryAt = 0L;
        var backoff = TimeSpan.FromSeconds(1);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await AckOutstandingAsync(stopping).ConfigureAwait(false);
                if (_resubscribe && _connection is { IsOpen: true } && _time.GetTimestamp() >= retryAt)
                {
                    try
                    {
                        await SubscribeAsync(stopping).ConfigureAwait(false);
                        Interlocked.Increment(ref _resubscribes);
                        backoff = TimeSpan.FromSeconds(1);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                    {
                        _lastError = $"resubscribe failed: {e.Message}";
                        Log.AmqpResubscribeFailed(_logger, backoff, e);
                        retryAt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A consumer cancelled by the broker (its queue deleted, a policy that removed it) or a channel the broker
    /// closed while the connection stays up is not something the client's connection recovery sees: the source
    /// would say "connected" and consume nothing (issue 12). Both are counted and start a resubscribe.
    /// </summary>
    private void LostSubscription(string why, ref long counter)
    {
        // A broker going down cancels consumers and closes channels on its way: that is connection recovery's
        // case, and the client recovers the consumer with the connection.
        if (_stopping.IsCancellationRequested || _state == AmqpState.Reconnecting || _connection is not { IsOpen: true })
        {
            return;
        }

        Interlocked.Increment(ref counter);
        MarkDown(AmqpState.Resubscribing, why);
        _resubscribe = true;
        Log.AmqpSubscriptionLost(_logger, why);
    }

    /// <summary>Whether a channel shutdown is the broker's doing on a live connection (the resubscribe path's, not recovery's).</summary>
    internal static bool IsChannelClosedByBroker(ShutdownEventArgs e, bool connectionOpen) =>
        connectionOpen && e.Initiator == ShutdownInitiator.Peer;

    private async Task ConnectAsync(CancellationToken cancellationToken)
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
                MarkDown(AmqpState.Reconnecting, $"connection lost: {e.ReplyText}");
                Log.AmqpConnectionLost(_logger, e.ReplyText);
            }

            return Task.CompletedTask;
        };
        _connection.RecoverySucceededAsync += (_, _) =>
        {
            Interlocked.Increment(ref _reconnects);
            Interlocked.Exchange(ref _lastDeliveryTag, 0);
            Interlocked.Exchange(ref _lastAckedTag, 0);
            Interlocked.Increment(ref _generation);
            _awaitingDurable.Clear(); // the old channel's tags are void; the broker redelivers those messages
            MarkUp();
            Log.AmqpRecovered(_logger);
            return Task.CompletedTask;
        };
        _connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            _lastError = $"recovery failed: {e.Exception.Message}";
            return Task.CompletedTask;
        };

        await SubscribeAsync(cancellationToken).ConfigureAwait(false);
        Log.AmqpConnected(_logger, _queue, _options.Exchange, _options.Bindings);
    }

    /// <summary>Opens a channel (a new one if the last was closed), declares exchange and queue, binds, and consumes.</summary>
    private async Task SubscribeAsync(CancellationToken cancellationToken)
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
                LostSubscription($"channel closed by the broker: {e.ReplyCode} {e.ReplyText}", ref _channelCloses);
            }

            return Task.CompletedTask;
        };

        // Tags restart on a new channel: acks of the old one are void (those messages are redelivered).
        Interlocked.Exchange(ref _lastDeliveryTag, 0);
        Interlocked.Exchange(ref _lastAckedTag, 0);
        Interlocked.Increment(ref _generation);
        _awaitingDurable.Clear();

        _resubscribe = false;
        await channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        var arguments = new Dictionary<string, object?>
        {
            ["x-message-ttl"] = (long)_options.MessageTtl.TotalMilliseconds,
            ["x-max-length"] = (long)_options.MaxQueueLength,
            ["x-overflow"] = "drop-head",
            ["x-expires"] = (long)_options.QueueExpires.TotalMilliseconds,
        };
        await _channel.QueueDeclareAsync(_queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var key in _options.BindingKeys)
        {
            await _channel.QueueBindAsync(_queue, _options.Exchange, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await _channel.BasicQosAsync(0, (ushort)_options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += OnDeliveryAsync;
        consumer.UnregisteredAsync += (_, e) =>
        {
            // Our own cancel only happens at stop; any other is the broker's (queue deleted).
            LostSubscription($"consumer cancelled by the broker ({string.Join(", ", e.ConsumerTags)}): its queue was deleted or changed", ref _consumerCancels);
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(_queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        MarkUp();
    }

    private async Task OnDeliveryAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var generation = Volatile.Read(ref _generation);
        // The body is rented and valid only until this handler returns: decode it now, keep nothing of it.
        var decoded = _ingestor.Ingest(delivery.Body.Span, "amqp");
        Interlocked.Increment(ref _deliveries);
        if (decoded.MalformedError is not null)
        {
            Interlocked.Increment(ref _malformed);
        }

        if (_tracker is not null)
        {
            _awaitingDurable.Enqueue((delivery.DeliveryTag, _tracker.AppliedSeq, generation));
        }

        Interlocked.Exchange(ref _lastDeliveryTag, delivery.DeliveryTag);
        if (delivery.DeliveryTag - Interlocked.Read(ref _lastAckedTag) >= (ulong)_options.AckEvery)
        {
            // A group is due: under at-least-once, ask for a checkpoint now rather than at the next interval, so
            // the prefetch window never fills waiting for one.
            _durable?.Request();
            await AckOutstandingAsync(delivery.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The highest delivery tag that may be acknowledged: all of them, or (at least once) those now durable.</summary>
    private ulong AckableTag()
    {
        if (_durable is null)
        {
            return Interlocked.Read(ref _lastDeliveryTag);
        }

        var durable = _durable.Value;
        var generation = Volatile.Read(ref _generation);
        var tag = 0UL;
        while (_awaitingDurable.TryPeek(out var next) && (next.Generation != generation || next.Seq <= durable) && _awaitingDurable.TryDequeue(out next))
        {
            if (next.Generation == generation)
            {
                tag = next.Tag;
            }
        }

        return tag;
    }

    /// <summary>One multiple-ack up to the last delivery handled.</summary>
    private async Task AckOutstandingAsync(CancellationToken cancellationToken)
    {
        var channel = _channel;
        if (channel is null || !channel.IsOpen)
        {
            return;
        }

        await _ackLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tag = AckableTag();
            if (tag > Interlocked.Read(ref _lastAckedTag))
            {
                await channel.BasicAckAsync(tag, multiple: true, cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _lastAckedTag, tag);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // The channel closed under us; those messages are redelivered after recovery.
            _lastError = $"ack failed: {e.Message}";
        }
        finally
        {
            _ackLock.Release();
        }
    }

    private void MarkDown(AmqpState state, string? error)
    {
        _state = state;
        if (error is not null)
        {
            _lastError = error;
        }

        Interlocked.CompareExchange(ref _downSinceUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds(), 0);
    }

    private void MarkUp()
    {
        _state = AmqpState.Connected;
        Interlocked.Exchange(ref _downSinceUnixMs, 0);
    }

    private async Task DisposeConnectionAsync()
    {
        try
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.AmqpCloseFailed(_logger, e);
        }

        _channel = null;
        _connection = null;
    }
}
