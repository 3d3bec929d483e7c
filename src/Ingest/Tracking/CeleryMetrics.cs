using Ingest.Accounting;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ingest.Storage;
using Ingest.Tracking;
using OpenTelemetry.Metrics;

namespace Ingest.Tracking;

/// <summary>
/// The series celery-exporter serves, with its names and labels, so the public celery-mixin dashboards and alerts
/// work unchanged against Ingest: <c>celery_task_{sent,received,started,succeeded,failed,retried,revoked,rejected}_total</c>
/// by <c>name</c>, <c>hostname</c> (the host part of the worker's node name) and <c>queue_name</c> (failed also by
/// <c>exception</c>); <c>celery_task_runtime</c> and <c>celery_task_queue_wait_time</c> histograms;
/// <c>celery_worker_up</c> and <c>celery_worker_tasks_active</c> by hostname; and, where the broker tells (RabbitMQ
/// gives each queue's consumers, one per worker that consumes it), <c>celery_active_worker_count</c> by queue_name.
/// As celery-exporter does, a task's worker events are labelled with the name and queue its earlier events told.
/// <para>
/// Counts live in one capped map (<see cref="MaxSeries"/> label sets; <see cref="MaxTaskNames"/> distinct names,
/// later ones counted under <c>name="other"</c>) and are read at scrape time, so an event costs one lookup and one
/// interlocked add; every label set shows all its counters, zeros included, as celery-exporter's do. The exporter
/// keeps as many label sets per instrument as the map does (<see cref="StreamConfiguration"/>): past its own default
/// of 2,000 it would fold the rest into an <c>otel_metric_overflow</c> series no dashboard reads and no counter counts.
/// </para>
/// </summary>
public sealed class CeleryMetrics
{
    public const string MeterName = "Celery";

    /// <summary>Distinct task names given their own label; beyond, <see cref="Other"/>.</summary>
    public const int MaxTaskNames = 1000;

    /// <summary>Label sets (name, hostname, queue[, exception]) kept; beyond, everything new is counted under <see cref="Other"/>.</summary>
    public const int MaxSeries = 20_000;

    public const string Other = "other";

    /// <summary>celery-exporter's default queue label when no event told the queue.</summary>
    public const string DefaultQueue = "celery";

    private static readonly CeleryEventType[] s_counted =
    [
        CeleryEventType.TaskSent, CeleryEventType.TaskReceived, CeleryEventType.TaskStarted, CeleryEventType.TaskSucceeded,
        CeleryEventType.TaskFailed, CeleryEventType.TaskRetried, CeleryEventType.TaskRevoked, CeleryEventType.TaskRejected,
    ];

    private readonly ConcurrentDictionary<SeriesKey, long[]> _series = new();
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);
    private readonly Histogram<double> _runtime;
    private readonly Histogram<double> _queueWait;
    private readonly int _maxSeries;
    private long _overflowed;

    public CeleryMetrics(IMeterFactory meterFactory, WorkerRegistry workers)
        : this(meterFactory, workers, MaxSeries)
    {
    }

    /// <summary>With a smaller label-set cap, for tests of what happens past it.</summary>
    internal CeleryMetrics(IMeterFactory meterFactory, WorkerRegistry workers, int maxSeries)
    {
        _maxSeries = maxSeries;
        var meter = meterFactory.Create(MeterName);
        foreach (var type in s_counted)
        {
            var slot = Slot(type);
            var wire = type.WireName(); // task-sent
            var instrument = "celery_" + wire.Replace('-', '_');
            meter.CreateObservableCounter(instrument, () => Observe(slot), description: $"Celery {wire} events (celery-exporter's series).");
        }

        // No unit: celery-exporter's names carry none (celery_task_runtime_bucket, not ..._seconds_bucket).
        _runtime = meter.CreateHistogram("celery_task_runtime", unit: null, "Task runtime, seconds, from task-succeeded.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _queueWait = meter.CreateHistogram("celery_task_queue_wait_time", unit: null, "Seconds from task-sent to task-started, for tasks without an ETA.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });
        meter.CreateObservableGauge("celery_worker_up", () => Workers(workers, w => w.Status == "online" ? 1 : 0), description: "1 while the worker sends heartbeats.");
        meter.CreateObservableGauge("celery_worker_tasks_active", () => Workers(workers, w => w.Active ?? 0), description: "Tasks the worker is running, from its last heartbeat.");
        meter.CreateObservableCounter("ingest.celery_metrics.overflow", () => Interlocked.Read(ref _overflowed), "{event}",
            $"Events counted under name=\"{Other}\" because the task-name or label-set cap of the celery_* series was reached.");
    }

    /// <summary>
    /// What OpenTelemetry keeps per celery_* instrument: every label set the map may hold, the two overflow ones
    /// (with and without exception) and one to spare, so the cap that counts overflow is this class's, not the SDK's.
    /// Worker gauges are bounded by the worker table (10,000 by default) and queue gauges by the queue cap (100).
    /// A meter named <c>Celery.&lt;suffix&gt;</c> counts as this one: test hosts sharing a process name theirs apart.
    /// </summary>
    public static MetricStreamConfiguration? StreamConfiguration(Instrument instrument) =>
        instrument.Meter.Name == MeterName || instrument.Meter.Name.StartsWith(MeterName + ".", StringComparison.Ordinal) ? new MetricStreamConfiguration { CardinalityLimit = MaxSeries + 3 } : null;

    /// <summary>Counts one accepted task event, with what the tracker knows of its task after it.</summary>
    public void Record(CeleryEvent e, in TaskLabels task)
    {
        var slot = Slot(e.Type);
        if (slot < 0)
        {
            return;
        }

        var key = new SeriesKey(NameLabel(task.Name), HostOf(e.Hostname), task.Queue ?? DefaultQueue, null);
        if (e.Type == CeleryEventType.TaskFailed)
        {
            // As celery-exporter: a failure also shows its label set's other counters at zero (succeeded included,
            // so a task's success ratio has a denominator), and the failure itself carries the exception.
            Counts(ref key, countOverflow: false);
            key = key with { Exception = TaskStates.ExceptionTypeOf(e.Exception) ?? "UnknownException" };
        }

        var counts = Counts(ref key, countOverflow: true);
        Interlocked.Increment(ref counts[slot]);
        if (e.Type == CeleryEventType.TaskSucceeded && e.Runtime is { } runtime)
        {
            _runtime.Record(runtime, Tags(key));
        }
        else if (e.Type == CeleryEventType.TaskStarted && task.SentAt is { } sent && !task.HasEta)
        {
            // Clock skew between producer and worker can make it negative: zero, as celery-exporter does.
            _queueWait.Record(Math.Max(0, e.Timestamp - sent), Tags(key));
        }
    }

    /// <summary>The counts of a label set, added while under the cap; past it, the overflow set's (and the key becomes it).</summary>
    private long[] Counts(ref SeriesKey key, bool countOverflow)
    {
        if (_series.TryGetValue(key, out var counts))
        {
            return counts;
        }

        if (_series.Count >= _maxSeries)
        {
            if (countOverflow)
            {
                Interlocked.Increment(ref _overflowed);
            }

            key = new SeriesKey(Other, Other, Other, key.Exception is null ? null : Other);
        }

        return _series.GetOrAdd(key, _ => new long[s_counted.Length]);
    }

    /// <summary>The host part of a Celery node name: <c>celery@web-7f9c</c> gives <c>web-7f9c</c> (celery-exporter's <c>get_hostname</c>).</summary>
    public static string HostOf(string? nodeName)
    {
        if (string.IsNullOrEmpty(nodeName))
        {
            return "";
        }

        var at = nodeName.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? nodeName : nodeName[(at + 1)..];
    }

    private string NameLabel(string? name)
    {
        if (name is null)
        {
            return "";
        }

        if (_names.ContainsKey(name))
        {
            return name;
        }

        if (_names.Count >= MaxTaskNames)
        {
            Interlocked.Increment(ref _overflowed);
            return Other;
        }

        _names.TryAdd(name, 0);
        return name;
    }

    private static int Slot(CeleryEventType type) => Array.IndexOf(s_counted, type);

    // A TagList holds up to eight tags inline: recording a histogram allocates nothing per event.
    private static TagList Tags(SeriesKey key) =>
        new() { { "name", key.Name }, { "hostname", key.Hostname }, { "queue_name", key.Queue } };

    private IEnumerable<Measurement<long>> Observe(int slot)
    {
        var failed = slot == Slot(CeleryEventType.TaskFailed);
        var sent = slot == Slot(CeleryEventType.TaskSent);
        foreach (var (key, counts) in _series)
        {
            var value = Volatile.Read(ref counts[slot]);
            // As celery-exporter: the sent counter only where one was sent (senders are many hosts), every other one
            // at zero too, the failed one with exception="" (Prometheus: no exception label) where none failed.
            if ((!failed && key.Exception is not null) || (sent && value == 0))
            {
                continue;
            }

            yield return failed
                ? new Measurement<long>(value, new("name", key.Name), new("hostname", key.Hostname), new("exception", key.Exception ?? ""), new("queue_name", key.Queue))
                : new Measurement<long>(value, new("name", key.Name), new("hostname", key.Hostname), new("queue_name", key.Queue));
        }
    }

    private static IEnumerable<Measurement<int>> Workers(WorkerRegistry workers, Func<WorkerInfo, int> value) =>
        workers.Snapshot().Select(w => new Measurement<int>(value(w), new KeyValuePair<string, object?>("hostname", HostOf(w.Hostname))));

    private readonly record struct SeriesKey(string Name, string Hostname, string Queue, string? Exception);
}
