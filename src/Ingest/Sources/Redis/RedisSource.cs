using System.Buffers;
using Ingest.Diagnostics;
using Ingest.Pipeline;
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
/// pubsub) is detected, counted and timed; the client reconnects and resubscribes by itself, with backoff.
/// </summary>
public sealed class RedisSource : IHostedService, IHealthContributor, IAsyncDisposable, Queues.IQueueLengthProbe
{
    /// <summary>kombu's separator between a queue's name and its priority step in the list's key.</summary>
    private const string PrioritySeparator = "\u0006\u0016";

    /// <summary>kombu's default priority steps above 0 (0's list is the queue's name itself).</summary>
    private static readonly string[] s_prioritySteps = ["3", "6", "9"];

    private readonly RedisOptions _options;
    private readonly EventIngestor _ingestor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisBrokerUrl _url;
    private readonly string _pattern;
    private ConnectionMultiplexer? _redis;
    private Task? _connecting;
    private readonly CancellationTokenSource _stopping = new();

    private volatile bool _subscribed;
    private volatile string? _lastError;
    private long _downSinceTimestamp;
    private long _downTicksTotal;
    private long _messages;
    private long _malformed;
    private long _disconnects;
    private long _reconnects;

    public RedisSource(RedisOptions options, EventIngestor ingestor, TimeProvider time, ILogger<RedisSource> logger)
    {
        _options = options;
        _ingestor = ingestor;
        _time = time;
        _logger = logger;
        if (!RedisBrokerUrl.TryParse(options.Url!, out var url, out var error))
        {
            throw new ArgumentException(error, nameof(options));
        }

        _url = url!;
        _pattern = _url.ChannelPattern(options);
        _downSinceTimestamp = time.GetTimestamp();
    }

    public string Name => "redis";

    public bool IsSubscribed => _subscribed;

    public long Messages => Interlocked.Read(ref _messages);

    public long Disconnects => Interlocked.Read(ref _disconnects);

    /// <summary>Time without a subscription since start, in total: what was published then was not seen.</summary>
    public TimeSpan Unsubscribed
    {
        get
        {
            var total = Interlocked.Read(ref _downTicksTotal);
            var since = Interlocked.Read(ref _downSinceTimestamp);
            return TimeSpan.FromTicks(total) + (since != 0 ? _time.GetElapsedTime(since) : TimeSpan.Zero);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _connecting = Task.Run(() => ConnectAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

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

        _subscribed = false;
    }

    bool Queues.IQueueLengthProbe.CanMeasure => _redis is { IsConnected: true };

    /// <summary>
    /// Each queue's length: kombu keeps a queue as a list under its name (and one per priority step, name +
    /// <c>\x06\x16</c> + step, when tasks carry a priority), in the broker's database, under the global key
    /// prefix. One pipelined batch of LLENs; a queue with no list holds nothing (kombu deletes empty lists).
    /// </summary>
    public async Task<IReadOnlyList<Queues.QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var redis = _redis ?? throw new InvalidOperationException("not connected");
        var database = redis.GetDatabase(_url.Database);
        var batch = database.CreateBatch();
        var lengths = new Task<long>[queues.Count * (1 + s_prioritySteps.Length)];
        for (var i = 0; i < queues.Count; i++)
        {
            var key = _options.GlobalKeyPrefix + queues[i];
            lengths[i * 4] = batch.ListLengthAsync(key);
            for (var p = 0; p < s_prioritySteps.Length; p++)
            {
                lengths[(i * 4) + 1 + p] = batch.ListLengthAsync(key + PrioritySeparator + s_prioritySteps[p]);
            }
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(lengths).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            // A key of another type under a queue's name (WRONGTYPE): that queue has no reading, the others do.
        }

        var readings = new List<Queues.QueueReading>(queues.Count);
        for (var i = 0; i < queues.Count; i++)
        {
            var parts = lengths.AsSpan(i * 4, 4);
            var ok = true;
            long sum = 0;
            foreach (var part in parts)
            {
                ok &= part.IsCompletedSuccessfully;
                sum += part.IsCompletedSuccessfully ? part.Result : 0;
            }

            if (ok)
            {
                readings.Add(new(queues[i], sum, null));
            }
        }

        return readings;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    public IEnumerable<string> DegradedReasons()
    {
        if (!_subscribed && !_stopping.IsCancellationRequested)
        {
            var since = Interlocked.Read(ref _downSinceTimestamp);
            var age = since != 0 ? _time.GetElapsedTime(since).TotalSeconds : 0;
            yield return $"not subscribed to Redis for {age:F0} s (events published meanwhile are not seen): {_lastError ?? "connecting"}";
        }
    }

    public object Describe() => new
    {
        state = _stopping.IsCancellationRequested ? "stopped" : _subscribed ? "subscribed" : Interlocked.Read(ref _disconnects) > 0 ? "reconnecting" : "connecting",
        broker = _url.Display,
        pattern = _pattern,
        delivery = "at most once: PUB/SUB keeps no backlog, what is published while unsubscribed is lost (counted as unsubscribed_s)",
        messages = Messages,
        malformed_messages = Interlocked.Read(ref _malformed),
        disconnects = Disconnects,
        reconnects = Interlocked.Read(ref _reconnects),
        unsubscribed_s = Math.Round(Unsubscribed.TotalSeconds, 3),
        last_error = _lastError,
    };

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
                    MarkDown($"{e.FailureType}: {e.Exception?.Message}", e.Exception);
                }
            };
            _redis.ConnectionRestored += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Subscription)
                {
                    MarkUp(); // the client resubscribes on the restored connection by itself
                }
            };

            var channel = RedisChannel.Pattern(_pattern);
            var subscriber = _redis.GetSubscriber();
            // Redis down at start: keep trying (HTTP, reads and /healthz run meanwhile), as the AMQP source does.
            for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
            {
                try
                {
                    await subscriber.SubscribeAsync(channel, OnMessage).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    _lastError = $"{e.GetType().Name}: {e.Message}";
                    Log.RedisConnectFailed(_logger, _url.Display, e);
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
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
                    MarkUp();
                }
                else
                {
                    MarkDown("the subscription is not connected", null);
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
            _lastError = $"{e.GetType().Name}: {e.Message}";
            Log.RedisConnectFailed(_logger, _url.Display, e);
        }
    }

    /// <summary>One message: the kombu envelope's body, through the same path as every source. Never throws.</summary>
    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        Interlocked.Increment(ref _messages);
        if (!_subscribed)
        {
            MarkUp(); // a message proves the subscription, whatever the events said
        }

        var body = new ArrayBufferWriter<byte>();
        if (!KombuEnvelope.TryGetBody((byte[])value!, body, out var error))
        {
            Interlocked.Increment(ref _malformed);
            _lastError = $"message on {channel}: {error}";
            return;
        }

        var decoded = _ingestor.Ingest(body.WrittenSpan, "redis");
        if (decoded.MalformedError is not null)
        {
            Interlocked.Increment(ref _malformed);
        }
    }

    /// <summary>Up to down: counted once per loss, whichever of the events and the check saw it first.</summary>
    private void MarkDown(string error, Exception? exception)
    {
        lock (_stateLock)
        {
            if (!_subscribed)
            {
                return;
            }

            _subscribed = false;
            _lastError = error;
            _downSinceTimestamp = _time.GetTimestamp();
            Interlocked.Increment(ref _disconnects);
        }

        Log.RedisDisconnected(_logger, error, exception);
    }

    /// <summary>Down to up: the time without a subscription is added to the total.</summary>
    private void MarkUp()
    {
        lock (_stateLock)
        {
            if (_subscribed)
            {
                return;
            }

            _subscribed = true;
            var since = Interlocked.Exchange(ref _downSinceTimestamp, 0);
            if (since != 0)
            {
                Interlocked.Add(ref _downTicksTotal, _time.GetElapsedTime(since).Ticks);
            }

            if (Interlocked.Read(ref _disconnects) > 0)
            {
                Interlocked.Increment(ref _reconnects);
                Log.RedisReconnected(_logger, _pattern);
            }
        }
    }

    private readonly Lock _stateLock = new();
}
