using Ingest.Accounting;
using Ingest.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.Sources.Amqp;

/// <summary>
/// Consumes the <c>celeryev</c> exchange: the hosted service others construct, which starts and stops the
/// <see cref="AmqpSubscription"/> (connection, channel, consumer, acks), keeps it going, and answers for it through
/// its <see cref="AmqpSourceStatus"/> and its <see cref="AmqpQueueProbe"/>.
/// Delivery guarantee: a message is acked once its events are decoded and merged into the tracker, not when
/// they reach SQLite; the tracker and channel are in memory, so a crash loses what they held (at most once).
/// With the in-flight checkpoint on, it is acked once what it did is committed (at least once, issue 13).
/// A broker that is down at start is retried with backoff; later drops are recovered by the client.
/// </summary>
public sealed class AmqpSource : IHostedService, IHealthContributor, IAsyncDisposable, Queues.IQueueLengthProbe
{
    private readonly AmqpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly AmqpSourceStatus _status;
    private readonly AmqpSubscription _subscription;
    private readonly AmqpQueueProbe _probe;
    private readonly Tracking.TaskTracker? _tracker;
    private readonly DurableWatermark? _durable;
    private Task? _run;

    /// <summary>A source for <paramref name="options"/>, its queue named for <paramref name="storage"/>'s database unless set.</summary>
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
        _time = time;
        _logger = logger;
        var queue = options.QueueNameFor(storage.DatabasePath);
        var ledger = new DeliveryAckLedger(options.AckEvery, untilDurable: _durable is not null);
        _status = new AmqpSourceStatus(options, queue, ledger, time);
        _subscription = new AmqpSubscription(options, queue, ingestor, _status, ledger, _tracker, _durable, logger, _stopping.Token);
        _probe = new AmqpQueueProbe(() => _subscription.Connection);
    }

    /// <inheritdoc/>
    public string Name => "amqp";

    /// <summary>Where the source is.</summary>
    public AmqpState State => _status.State;

    /// <summary>Messages delivered since start.</summary>
    public long Deliveries => _status.Deliveries;

    /// <summary>Connections recovered by the client since start.</summary>
    public long Reconnects => _status.Reconnects;

    /// <summary>True while consuming.</summary>
    public bool IsConnected => _status.State == AmqpState.Connected;

    bool Queues.IQueueLengthProbe.CanMeasure => IsConnected && _subscription.Connection is { IsOpen: true };

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
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

            await _subscription.AckOutstandingAsync(CancellationToken.None).ConfigureAwait(false);
            await _subscription.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.AmqpCloseFailed(_logger, e);
        }

        _status.MarkStopped();
    }

    /// <inheritdoc/>
    public IEnumerable<string> DegradedReasons() => _status.DegradedReasons();

    /// <inheritdoc/>
    public object Describe() => _status.Describe();

    /// <inheritdoc cref="AmqpQueueProbe.MeasureAsync"/>
    public Task<IReadOnlyList<Queues.QueueReading>> MeasureAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) =>
        _probe.MeasureAsync(queues, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _probe.DisposeAsync().ConfigureAwait(false);
        await _subscription.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        _status.MarkDown(AmqpState.Connecting, null);
        if (!await ConnectWithBackoffAsync(stopping).ConfigureAwait(false))
        {
            return;
        }

        // Acks that were due while messages stopped arriving are sent on a timer; a consumer the broker cancelled,
        // or a channel it closed, is started again from here.
        using var timer = new PeriodicTimer(_options.AckInterval, _time);
        var retryAt = 0L;
        var backoff = new ReconnectBackoff(_options.MaxReconnectDelay);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await _subscription.AckOutstandingAsync(stopping).ConfigureAwait(false);
                if (_subscription.ResubscribeDue && _subscription.Connection is { IsOpen: true } && _time.GetTimestamp() >= retryAt)
                {
                    try
                    {
                        await _subscription.SubscribeAsync(stopping).ConfigureAwait(false);
                        _status.Resubscribed();
                        backoff.Reset();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                    {
                        _status.LastError = $"resubscribe failed: {e.Message}";
                        var delay = backoff.NextDelay();
                        Log.AmqpResubscribeFailed(_logger, delay, e);
                        retryAt = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Connects, retrying with backoff until it works; false when stopped first.</summary>
    private async Task<bool> ConnectWithBackoffAsync(CancellationToken stopping)
    {
        var backoff = new ReconnectBackoff(_options.MaxReconnectDelay);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _status.ConnectAttempt();
                await _subscription.ConnectAsync(stopping).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A broker that is down at startup stops nothing else: HTTP, reads and /healthz carry on.
                _status.LastError = $"{e.GetType().Name}: {e.Message}";
                Log.AmqpConnectFailed(_logger, _options.Exchange, backoff.Current, e);
                await _subscription.DisposeConnectionAsync().ConfigureAwait(false);
                try
                {
                    await backoff.WaitAsync(_time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }

        return false; // stopped before a connection was made
    }
}
