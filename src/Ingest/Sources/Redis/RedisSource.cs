using Ingest.Accounting;
using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ingest.Sources.Redis;

/// <summary>
/// Consumes Celery's events from a Redis broker (issue 14). Celery makes the event exchange fanout on Redis and
/// kombu implements fanout with PUB/SUB, so Ingest pattern-subscribes to the exchange's channels (task events by
/// default) and feeds each message's body through the same decoder, tracker and channel as the other sources.
/// PUB/SUB has no acknowledgement and no backlog: what is published while the subscription is down is gone. So a
/// disconnect (a restart, or Redis dropping a subscriber that read too slowly past client-output-buffer-limit
/// pubsub) is detected, counted and timed (<see cref="RedisSubscriptionStatus"/>); the client reconnects and
/// resubscribes by itself, with backoff.
/// </summary>
public sealed class RedisSource : IHostedService, IHealthContributor, IAsyncDisposable, Queues.IQueueLengthProbe
{
    /// <summary>Longest wait between attempts to subscribe while Redis is down.</summary>
    private static readonly TimeSpan s_maxReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly EventIngestor _ingestor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisBrokerUrl _url;
    private readonly string _pattern;
    private readonly RedisSubscriptionStatus _status;
    private readonly RedisQueueProbe _probe;
    private ConnectionMultiplexer? _redis;
    private Task? _connecting;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>A source for <paramref name="options"/>; throws <see cref="ArgumentException"/> when its URL is not one Celery takes.</summary>
    public RedisSource(RedisOptions options, EventIngestor ingestor, TimeProvider time, ILogger<RedisSource> logger)
    {
        _ingestor = ingestor;
        _time = time;
        _logger = logger;
        if (!RedisBrokerUrl.TryParse(options.Url!, out var url, out var error))
        {
            throw new ArgumentException(error, nameof(options));
        }

        _url = url!;
        _pattern = _url.ChannelPattern(options);
        _status = new RedisSubscriptionStatus(_url.Display, _pattern, time, logger, _stopping.Token);
        _probe = new RedisQueueProbe(() => _redis, _url.Database, options.GlobalKeyPrefix);
    }

    /// <inheritdoc/>
    public string Name => "redis";

    /// <summary>True while subscribed.</summary>
    public bool IsSubscribed => _status.IsSubscribed;

    /// <summary>Messages received since start.</summary>
    public long Messages => _status.Messages;

    /// <summary>Subscriptions lost since start.</summary>
    public long Disconnects => _status.Disconnects;

    /// <inheritdoc cref="RedisSubscriptionStatus.Unsubscribed"/>
    public TimeSpan Unsubscribed => _status.Unsubscribed;

    bool Queues.IQueueLengthProbe.CanMeasure => _redis is { IsConnected: true };

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _connecting = Task.Run(() => ConnectAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_connecting is not null)
        {
            await _connecting.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_redis is not null)
        {
            try
            {
                await _redis.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Seen: a NullReferenceException inside CloseAsync when a reconnect was under way. Closing is best
                // effort; what matters at stop is that the flush loop, which stops after this, still drains.
                Log.RedisCloseFailed(_logger, e);
            }
        }

        _status.MarkStopped();
    }

    /// <inheritdoc cref="RedisQueueProbe.MeasureAsync"/>
    public Task<IReadOnlyList<Queues.QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) =>
        _probe.MeasureAsync(queues, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public IEnumerable<string> DegradedReasons() => _status.DegradedReasons();

    /// <inheritdoc/>
    public object Describe() => _status.Describe();

    private async Task ConnectAsync(CancellationToken stopping)
    {
        try
        {
            // AbortOnConnectFail=false: this returns at once and the multiplexer keeps trying in the background.
            _redis = await ConnectionMultiplexer.ConnectAsync(_url.Options).ConfigureAwait(false);
            _redis.ConnectionFailed += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Subscription && !stopping.IsCancellationRequested)
                {
                    _status.MarkDown($"{e.FailureType}: {e.Exception?.Message}", e.Exception);
                }
            };
            _redis.ConnectionRestored += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Subscription)
                {
                    _status.MarkUp(); // the client resubscribes on the restored connection by itself
                }
            };

            var channel = RedisChannel.Pattern(_pattern);
            var subscriber = _redis.GetSubscriber();
            // Redis down at start: keep trying (HTTP, reads and /healthz run meanwhile), as the AMQP source does.
            var backoff = new ReconnectBackoff(s_maxReconnectDelay);
            while (true)
            {
                try
                {
                    await subscriber.SubscribeAsync(channel, OnMessage).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    _status.Failed($"{e.GetType().Name}: {e.Message}");
                    Log.RedisConnectFailed(_logger, _url.Display, e);
                    await backoff.WaitAsync(_time, stopping).ConfigureAwait(false);
                }
            }

            Log.RedisSubscribed(_logger, _url.Display, _pattern);

            // The events above are not the whole truth (a restored connection is not always announced): look at
            // the subscription itself once a second, so /healthz says what is, on a quiet fleet too.
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
            do
            {
                if (subscriber.IsConnected(channel))
                {
                    _status.MarkUp();
                }
                else
                {
                    _status.MarkDown("the subscription is not connected", null);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // With AbortOnConnectFail off, the subscription is made once a connection comes up; say why meanwhile.
            _status.Failed($"{e.GetType().Name}: {e.Message}");
            Log.RedisConnectFailed(_logger, _url.Display, e);
        }
    }

    /// <summary>One message: the kombu envelope's body, through the same path as every source. Never throws.</summary>
    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        _status.Message();
        var body = new ArrayBufferWriter<byte>();
        var envelope = (byte[])value!;
        if (!KombuEnvelope.TryGetBody(envelope, body, out var content, out var reason, out var error))
        {
            _ingestor.RejectBody(reason, "redis", envelope, error);
            _status.Malformed($"message on {channel}: {error}");
            return;
        }

        var decoded = _ingestor.Ingest(body.WrittenSpan, "redis", content: content);
        if (decoded.MalformedError is not null)
        {
            _status.Malformed(null);
        }
    }
}
