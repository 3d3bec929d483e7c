namespace Ingest.Sources.Amqp;

/// <summary>
/// What the AMQP source reports: its state, since when it has been down and why, and its counters. Written by the
/// connection's events, the delivery handler and the retry loop; read by <c>/healthz</c> and the metrics, from
/// these cached values only.
/// </summary>
public sealed class AmqpSourceStatus
{
    private readonly AmqpOptions _options;
    private readonly string _queue;
    private readonly DeliveryAckLedger _ledger;
    private readonly TimeProvider _time;

    private volatile AmqpState _state = AmqpState.Starting;
    private volatile string? _lastError;
    private long _downSinceUnixMs;
    private long _deliveries;
    private long _malformed;
    private long _reconnects;
    private long _connectAttempts;
    private long _consumerCancels;
    private long _channelCloses;
    private long _resubscribes;

    /// <summary>The status of a source consuming <paramref name="queue"/>, acking by <paramref name="ledger"/>.</summary>
    public AmqpSourceStatus(AmqpOptions options, string queue, DeliveryAckLedger ledger, TimeProvider time)
    {
        _options = options;
        _queue = queue;
        _ledger = ledger;
        _time = time;
    }

    /// <summary>Where the source is.</summary>
    public AmqpState State => _state;

    /// <summary>The last thing that went wrong, for <c>/healthz</c>.</summary>
    public string? LastError
    {
        get => _lastError;
        set => _lastError = value;
    }

    /// <summary>Messages delivered since start.</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>Connections recovered by the client since start.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Counts one message delivered; <paramref name="malformed"/> when its body could not be parsed to its end.</summary>
    public void Delivery(bool malformed)
    {
        Interlocked.Increment(ref _deliveries);
        if (malformed)
        {
            Interlocked.Increment(ref _malformed);
        }
    }

    /// <summary>Counts one attempt to connect.</summary>
    public void ConnectAttempt() => Interlocked.Increment(ref _connectAttempts);

    /// <summary>Counts one connection recovered by the client.</summary>
    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    /// <summary>Counts one consumer cancelled by the broker.</summary>
    public void ConsumerCancelled() => Interlocked.Increment(ref _consumerCancels);

    /// <summary>Counts one channel closed by the broker.</summary>
    public void ChannelClosed() => Interlocked.Increment(ref _channelCloses);

    /// <summary>Counts one consumer started again after the broker cancelled it or closed its channel.</summary>
    public void Resubscribed() => Interlocked.Increment(ref _resubscribes);

    /// <summary>Not consuming: the state, and why (kept as it was when null); down since the first of a run of these.</summary>
    public void MarkDown(AmqpState state, string? error)
    {
        _state = state;
        if (error is not null)
        {
            _lastError = error;
        }

        Interlocked.CompareExchange(ref _downSinceUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds(), 0);
    }

    /// <summary>Consuming.</summary>
    public void MarkUp()
    {
        _state = AmqpState.Connected;
        Interlocked.Exchange(ref _downSinceUnixMs, 0);
    }

    /// <summary>Stopped by the host.</summary>
    public void MarkStopped() => _state = AmqpState.Stopped;

    /// <summary>Why <c>/healthz</c> says degraded: not connected, or connected and consuming nothing, and for how long.</summary>
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

    /// <summary>The source as <c>/healthz</c> shows it (the names are the API's).</summary>
    public object Describe() => new
    {
        state = _state.ToString().ToLowerInvariant(),
        queue = _queue,
        exchange = _options.Exchange,
        bindings = _options.BindingKeys,
        down_since = Interlocked.Read(ref _downSinceUnixMs) is var ms && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null,
        last_error = _lastError,
        deliveries = Deliveries,
        delivery = _ledger.UntilDurable ? "at least once (acknowledged after the commit)" : "at most once (acknowledged after the merge)",
        awaiting_durable = _ledger.AwaitingDurable,
        malformed_messages = Interlocked.Read(ref _malformed),
        reconnects = Reconnects,
        consumer_cancels = Interlocked.Read(ref _consumerCancels),
        channel_closes = Interlocked.Read(ref _channelCloses),
        resubscribes = Interlocked.Read(ref _resubscribes),
        connect_attempts = Interlocked.Read(ref _connectAttempts),
    };
}
