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
public sealed class AmqpSource : IHostedService, IHealthContributor, IAsyncDisposable
{
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

    private volatile string _state = "starting";
    private volatile string? _lastError;
    private long _downSinceUnixMs;
    private long _deliveries;
    private long _malformed;
    private long _reconnects;
    private long _connectAttempts;

    private readonly string _queue;

    public AmqpSource(AmqpOptions options, Ingest.Storage.StorageOptions storage, EventIngestor ingestor, TimeProvider time, ILogger<AmqpSource> logger)
    {
        _options = options;
        _queue = options.QueueNameFor(storage.DatabasePath);
        _ingestor = ingestor;
        _time = time;
        _logger = logger;
    }

    public string Name => "amqp";

    /// <summary>connecting, connected, reconnecting or stopped.</summary>
    public string State => _state;

    public long Deliveries => Interlocked.Read(ref _deliveries);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public bool IsConnected => _state == "connected";

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

        _state = "stopped";
    }

    public IEnumerable<string> DegradedReasons()
    {
        if (_state is "connecting" or "reconnecting")
        {
            var since = Interlocked.Read(ref _downSinceUnixMs);
            var age = since > 0 ? (_time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(since)).TotalSeconds : 0;
            yield return $"broker not connected for {age:F0} s: {_lastError ?? "connecting"}";
        }
    }

    public object Describe() => new
    {
        state = _state,
        queue = _queue,
        exchange = _options.Exchange,
        bindings = _options.BindingKeys,
        down_since = Interlocked.Read(ref _downSinceUnixMs) is var ms && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null,
        last_error = _lastError,
        deliveries = Deliveries,
        malformed_messages = Interlocked.Read(ref _malformed),
        reconnects = Reconnects,
        connect_attempts = Interlocked.Read(ref _connectAttempts),
    };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
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
        MarkDown("connecting", null);
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

        // Acks that were due while messages stopped arriving are sent on a timer.
        using var timer = new PeriodicTimer(_options.AckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await AckOutstandingAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

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
                MarkDown("reconnecting", $"connection lost: {e.ReplyText}");
                Log.AmqpConnectionLost(_logger, e.ReplyText);
            }

            return Task.CompletedTask;
        };
        _connection.RecoverySucceededAsync += (_, _) =>
        {
            Interlocked.Increment(ref _reconnects);
            Interlocked.Exchange(ref _lastDeliveryTag, 0);
            Interlocked.Exchange(ref _lastAckedTag, 0);
            MarkUp();
            Log.AmqpRecovered(_logger);
            return Task.CompletedTask;
        };
        _connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            _lastError = $"recovery failed: {e.Exception.Message}";
            return Task.CompletedTask;
        };

        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
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
        await _channel.BasicConsumeAsync(_queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        MarkUp();
        Log.AmqpConnected(_logger, _queue, _options.Exchange, _options.Bindings);
    }

    private async Task OnDeliveryAsync(object sender, BasicDeliverEventArgs delivery)
    {
        // The body is rented and valid only until this handler returns: decode it now, keep nothing of it.
        var decoded = _ingestor.Ingest(delivery.Body.Span, "amqp");
        Interlocked.Increment(ref _deliveries);
        if (decoded.MalformedError is not null)
        {
            Interlocked.Increment(ref _malformed);
        }

        Interlocked.Exchange(ref _lastDeliveryTag, delivery.DeliveryTag);
        if (delivery.DeliveryTag - Interlocked.Read(ref _lastAckedTag) >= (ulong)_options.AckEvery)
        {
            await AckOutstandingAsync(delivery.CancellationToken).ConfigureAwait(false);
        }
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
            var tag = Interlocked.Read(ref _lastDeliveryTag);
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

    private void MarkDown(string state, string? error)
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
        _state = "connected";
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
