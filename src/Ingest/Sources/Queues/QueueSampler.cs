using Ingest.Accounting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.Sources.Queues;

/// <summary>
/// Samples every known queue's length from the broker on an interval (issue 16: is the fleet keeping up, as the
/// queue sees it). Each sample is bounded by <see cref="QueueSamplingOptions.Timeout"/> and a failed one is
/// counted and tried again at the next interval; the broker's consumer connection is never at stake (RabbitMQ is
/// asked on a channel of its own, which a missing queue closes).
/// </summary>
public sealed class QueueSampler : BackgroundService
{
    private readonly IReadOnlyList<IQueueLengthProbe> _probes;
    private readonly QueueLengths _lengths;
    private readonly QueueSamplingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<IQueueLengthProbe> _failing = [];

    public QueueSampler(IEnumerable<IQueueLengthProbe> probes, QueueLengths lengths, QueueSamplingOptions options, TimeProvider time, ILogger<QueueSampler> logger)
    {
        _probes = [.. probes];
        _lengths = lengths;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_lengths.Enabled || _probes.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.Interval, _time);
        try
        {
            do
            {
                await SampleOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sample of every queue from every broker that is connected. Never throws but for cancellation.</summary>
    public async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var queues = _lengths.Queues;
        foreach (var probe in _probes)
        {
            if (!probe.CanMeasure)
            {
                _lengths.RecordFailure(probe.Name, "not_connected", "not connected");
                continue;
            }

            using var timeout = new CancellationTokenSource(_options.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                var readings = await probe.MeasureAsync(queues, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
                _lengths.Record(probe.Name, readings);
                _failing.Remove(probe);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Fail(probe, "timeout", $"no answer within {_options.Timeout.TotalSeconds:0.#} s");
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                Fail(probe, "error", $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private void Fail(IQueueLengthProbe probe, string reason, string error)
    {
        _lengths.RecordFailure(probe.Name, reason, error);
        if (_failing.Add(probe))
        {
            Log.QueueSampleFailed(_logger, probe.Name, error); // once per outage: every failure is counted
        }
    }
}
