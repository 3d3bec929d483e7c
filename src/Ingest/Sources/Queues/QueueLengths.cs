using Ingest.Tracking;
using Ingest.Web;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ingest.Pipeline;
using Ingest.Storage.Rollups;

namespace Ingest.Sources.Queues;

/// <summary>
/// The queues to sample and their latest readings. Queue names come from the configuration and from task events
/// (a task's queue, as its sent or received event tells), capped at <see cref="QueueSamplingOptions.MaxQueues"/>:
/// events naming a queue past the cap are counted, not sampled. Readings feed celery-exporter's
/// <c>celery_queue_length</c> and <c>celery_active_consumer_count</c> (by <c>queue_name</c>) and go to the flush
/// loop to be stored with the day.
/// </summary>
public sealed class QueueLengths
{
    /// <summary>Queue names longer than this many UTF-8 bytes are not sampled (AMQP allows 255; Celery's are short).</summary>
    public const int MaxNameLength = 200;

    private readonly ConcurrentDictionary<string, byte> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Reading> _latest = new(StringComparer.Ordinal);
    private readonly QueueSampleBuffer _buffer;
    private readonly TimeProvider _time;
    private readonly int _maxQueues;
    private readonly TimeSpan _interval;
    private long _unsampled;
    private long _samples;
    private long _failures;

    // Failures by kind, for the metric's reason tag: the broker not connected, no answer in time, an error.
    private readonly long[] _failuresByReason = new long[3];
    private static readonly string[] s_failureReasons = ["not_connected", "timeout", "error"];
    private long _lastSampledAt;
    private volatile string? _lastError;
    private volatile string? _broker;

    public QueueLengths(QueueSamplingOptions options, QueueSampleBuffer buffer, TimeProvider time, IMeterFactory meterFactory)
    {
        _buffer = buffer;
        _time = time;
        _maxQueues = options.MaxQueues;
        _interval = options.Interval;
        foreach (var queue in options.ConfiguredQueues)
        {
            Note(queue);
        }

        var meter = meterFactory.Create(CeleryMetrics.MeterName);
        meter.CreateObservableGauge("celery_queue_length", () => Observe(r => r.Length), description: "Messages waiting in the broker queue (celery-exporter's series).");
        meter.CreateObservableGauge("celery_active_consumer_count", () => Observe(r => r.Consumers), description: "Consumers of the broker queue (RabbitMQ only).");
        // celery-exporter counts the workers whose active queues include the queue (remote-control inspect, which
        // Ingest does not send); a Celery worker holds one consumer on each queue it consumes, so RabbitMQ's
        // consumer count is that number. Redis has no consumers to count: there the series is absent.
        meter.CreateObservableGauge("celery_active_worker_count", () => Observe(r => r.Consumers),
            description: "Workers consuming the broker queue: its consumers on RabbitMQ (one per worker).");
        meter.CreateObservableCounter("ingest.queue_sampling.unsampled", () => Interlocked.Read(ref _unsampled), "{event}",
            "Task events naming a queue that is not sampled (past the queue cap, or a name no broker takes).");
        meter.CreateObservableCounter("ingest.queue_sampling.failures", FailuresByReason, "{sample}",
            "Queue samples that failed (broker down, timeout).");
    }

    public bool Enabled => _interval > TimeSpan.Zero;

    public TimeSpan Interval => _interval;

    /// <summary>A queue named by a task event. Cheap when known: one lookup.</summary>
    public void Note(string? queue)
    {
        if (string.IsNullOrEmpty(queue) || _queues.ContainsKey(queue))
        {
            return;
        }

        if (_queues.Count >= _maxQueues || queue.Length > MaxNameLength || System.Text.Encoding.UTF8.GetByteCount(queue) > MaxNameLength || queue.Any(char.IsControl))
        {
            Interlocked.Increment(ref _unsampled);
            return;
        }

        _queues.TryAdd(queue, 0);
    }

    /// <summary>The queues to sample, in name order.</summary>
    public IReadOnlyList<string> Queues => [.. _queues.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Takes one sample's readings: the latest per queue, and one stored sample each.</summary>
    public void Record(string broker, IReadOnlyList<QueueReading> readings)
    {
        var at = _time.GetUtcNow().ToUnixTimeSeconds();
        _broker = broker;
        var samples = new List<QueueSample>(readings.Count);
        foreach (var reading in readings)
        {
            // A queue the broker does not have holds nothing: 0, as celery-exporter reports it.
            var length = reading.Length ?? 0;
            _latest[reading.Queue] = new Reading(at, length, reading.Consumers, reading.Length is not null);
            samples.Add(new QueueSample(reading.Queue, at, length, reading.Consumers));
        }

        _buffer.AddRange(samples);

        Interlocked.Increment(ref _samples);
        Interlocked.Exchange(ref _lastSampledAt, at);
        _lastError = null;
    }

    /// <summary>A sample that failed: <paramref name="reason"/> is <c>not_connected</c>, <c>timeout</c> or <c>error</c> (the metric's tag), <paramref name="error"/> the words.</summary>
    public void RecordFailure(string broker, string reason, string error)
    {
        _broker = broker;
        _lastError = error;
        Interlocked.Increment(ref _failures);
        var i = Array.IndexOf(s_failureReasons, reason);
        Interlocked.Increment(ref _failuresByReason[i < 0 ? s_failureReasons.Length - 1 : i]);
    }

    private IEnumerable<Measurement<long>> FailuresByReason()
    {
        for (var i = 0; i < s_failureReasons.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref _failuresByReason[i]), new KeyValuePair<string, object?>("reason", s_failureReasons[i]));
        }
    }

    /// <summary>The latest reading of each queue, unless older than three intervals (a broker out of reach shows no number rather than an old one).</summary>
    public IReadOnlyList<(string Queue, Reading Reading)> Latest()
    {
        var oldest = _time.GetUtcNow().ToUnixTimeSeconds() - (long)Math.Ceiling(3 * _interval.TotalSeconds);
        return [.. _latest.Where(p => p.Value.At >= oldest).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value))];
    }

    public object Describe() => new
    {
        enabled = Enabled,
        broker = _broker,
        interval_s = _interval.TotalSeconds,
        queues_sampled = _queues.Count,
        max_queues = _maxQueues,
        samples = Interlocked.Read(ref _samples),
        failures = Interlocked.Read(ref _failures),
        unsampled_events = Interlocked.Read(ref _unsampled),
        stored = _buffer.Written,
        lost = _buffer.Dropped,
        last_sampled_at = Interlocked.Read(ref _lastSampledAt) is var at and > 0 ? ApiTime.Format(at) : null,
        last_error = _lastError,
    };

    private IEnumerable<Measurement<long>> Observe(Func<Reading, long?> value)
    {
        foreach (var (queue, reading) in Latest())
        {
            if (value(reading) is { } v)
            {
                yield return new Measurement<long>(v, new TagList { { "queue_name", queue } });
            }
        }
    }

    /// <summary>One queue's latest reading: when (Unix seconds), messages waiting, consumers, and whether the broker has the queue.</summary>
    public readonly record struct Reading(long At, long Length, int? Consumers, bool Exists);
}
