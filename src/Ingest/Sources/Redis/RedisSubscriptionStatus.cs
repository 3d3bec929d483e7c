using Ingest.Accounting;
using Microsoft.Extensions.Logging;

namespace Ingest.Sources.Redis;

/// <summary>
/// Whether the Redis source holds its subscription, and what it cost when it did not. PUB/SUB keeps no backlog,
/// so each loss (a restart, or Redis dropping a subscriber that read too slowly past client-output-buffer-limit
/// pubsub) is counted once and the time without a subscription is added up: that is what was not seen.
/// Written by the client's events, the once-a-second check and the message handler; read by <c>/healthz</c>.
/// </summary>
public sealed class RedisSubscriptionStatus
{
    private readonly string _broker;
    private readonly string _pattern;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly Lock _stateLock = new();

    private volatile bool _subscribed;
    private volatile string? _lastError;
    private long _downSinceTimestamp;
    private long _downTicksTotal;
    private long _messages;
    private long _malformed;
    private long _disconnects;
    private long _reconnects;

    /// <summary>The status of a subscription to <paramref name="pattern"/> on <paramref name="broker"/>, down (not yet subscribed) from now.</summary>
    public RedisSubscriptionStatus(string broker, string pattern, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _broker = broker;
        _pattern = pattern;
        _time = time;
        _logger = logger;
        _stopping = stopping;
        _downSinceTimestamp = time.GetTimestamp();
    }

    /// <summary>True while subscribed.</summary>
    public bool IsSubscribed => _subscribed;

    /// <summary>Messages received since start.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Subscriptions lost since start.</summary>
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

    /// <summary>Connecting or subscribing failed: <paramref name="error"/> is what <c>/healthz</c> says meanwhile.</summary>
    public void Failed(string error) => _lastError = error;

    /// <summary>Counts one message received: it proves the subscription, whatever the events said.</summary>
    public void Message()
    {
        Interlocked.Increment(ref _messages);
        if (!_subscribed)
        {
            MarkUp();
        }
    }

    /// <summary>Counts one message that was not a usable event body; <paramref name="error"/>, when given, is kept as the last error.</summary>
    public void Malformed(string? error)
    {
        Interlocked.Increment(ref _malformed);
        if (error is not null)
        {
            _lastError = error;
        }
    }

    /// <summary>Up to down: counted once per loss, whichever of the events and the check saw it first.</summary>
    public void MarkDown(string error, Exception? exception)
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
    public void MarkUp()
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

    /// <summary>Stopped by the host.</summary>
    public void MarkStopped() => _subscribed = false;

    /// <summary>Why <c>/healthz</c> says degraded: not subscribed, and for how long.</summary>
    public IEnumerable<string> DegradedReasons()
    {
        if (!_subscribed && !_stopping.IsCancellationRequested)
        {
            var since = Interlocked.Read(ref _downSinceTimestamp);
            var age = since != 0 ? _time.GetElapsedTime(since).TotalSeconds : 0;
            yield return $"not subscribed to Redis for {age:F0} s (events published meanwhile are not seen): {_lastError ?? "connecting"}";
        }
    }

    /// <summary>The source as <c>/healthz</c> shows it (the names are the API's).</summary>
    public object Describe() => new
    {
        state = _stopping.IsCancellationRequested ? "stopped" : _subscribed ? "subscribed" : Interlocked.Read(ref _disconnects) > 0 ? "reconnecting" : "connecting",
        broker = _broker,
        pattern = _pattern,
        delivery = "at most once: PUB/SUB keeps no backlog, what is published while unsubscribed is lost (counted as unsubscribed_s)",
        messages = Messages,
        malformed_messages = Interlocked.Read(ref _malformed),
        disconnects = Disconnects,
        reconnects = Interlocked.Read(ref _reconnects),
        unsubscribed_s = Math.Round(Unsubscribed.TotalSeconds, 3),
        last_error = _lastError,
    };
}
