using Ingest.Accounting;
using System.Diagnostics.Metrics;
using Ingest.Pipeline;
using Ingest.Sources.Queues;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Tracking;

/// <summary>Issue 28: the celery_* series' semantics where they were celery-exporter's only in part, and their cap.</summary>
public sealed class CeleryMetricsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    /// <summary>
    /// celery-exporter shows every counter of a label set once any event names it: a failure shows succeeded at
    /// zero, and a label set that never failed shows failed{exception=""} at zero (the success ratios' denominators).
    /// </summary>
    [Fact]
    public void Record_FailureAndSuccessOfTwoLabelSets_EachShowsTheOthersCounterAtZero_Issue28()
    {
        var metrics = new CeleryMetrics(Meters, Workers());
        using var failed = Collector("celery_task_failed");
        using var succeeded = Collector("celery_task_succeeded");

        metrics.Record(Event(CeleryEventType.TaskFailed, "celery@a", exception: "KeyError('x')"), new TaskLabels("t.fails", "q", null, false));
        metrics.Record(Event(CeleryEventType.TaskSucceeded, "celery@b"), new TaskLabels("t.works", "q", null, false));

        Assert.Equal(
            [("t.fails", "", 0L), ("t.fails", "KeyError", 1L), ("t.works", "", 0L)],
            Read(failed).Select(m => (Tag(m, "name"), Tag(m, "exception"), m.Value)).Order());
        Assert.Equal([("t.fails", 0L), ("t.works", 1L)], Read(succeeded).Select(m => (Tag(m, "name"), m.Value)).Order());
    }

    /// <summary>Past the label-set cap, new label sets count under name="other" (failures with exception="other"), and each such event is counted once.</summary>
    [Fact]
    public void Record_PastTheLabelSetCap_CountsUnderOtherOnceEach_Issue28()
    {
        var metrics = new CeleryMetrics(Meters, Workers(), maxSeries: 2);
        using var received = Collector("celery_task_received");
        using var failed = Collector("celery_task_failed");
        using var overflow = Collector("ingest.celery_metrics.overflow");

        metrics.Record(Event(CeleryEventType.TaskReceived, "celery@a"), new TaskLabels("t.one", "q", null, false));
        metrics.Record(Event(CeleryEventType.TaskReceived, "celery@b"), new TaskLabels("t.one", "q", null, false));
        metrics.Record(Event(CeleryEventType.TaskReceived, "celery@c"), new TaskLabels("t.one", "q", null, false));
        metrics.Record(Event(CeleryEventType.TaskFailed, "celery@d", exception: "KeyError('x')"), new TaskLabels("t.two", "q", null, false));

        Assert.Equal([("a", 1L), ("b", 1L), ("other", 1L)], Read(received).Select(m => (Tag(m, "hostname"), m.Value)).Order());
        Assert.Equal(
            [("a", "", 0L), ("b", "", 0L), ("other", "", 0L), ("other", "other", 1L)],
            Read(failed).Select(m => (Tag(m, "hostname"), Tag(m, "exception"), m.Value)).Order());
        Assert.Equal(2, Read(overflow).Single().Value);
    }

    /// <summary>celery_active_worker_count where the broker tells: RabbitMQ's consumers, one per worker; absent where it does not (Redis).</summary>
    [Fact]
    public void ActiveWorkerCount_QueuesWithAndWithoutConsumerCounts_OnlyThoseTheBrokerCounted_Issue28()
    {
        var lengths = new QueueLengths(new QueueSamplingOptions(), new QueueSampleBuffer(), _time, Meters);
        using var workers = Collector("celery_active_worker_count");

        lengths.Record("amqp", [new QueueReading("celery", 12, 3), new QueueReading("redis-like", 4, null)]);

        Assert.Equal([("celery", 3L)], Read(workers).Select(m => (Tag(m, "queue_name"), m.Value)));
    }

    private WorkerRegistry Workers() => new(new WorkerOptions(), _time);

    private MetricCollector<long> Collector(string instrument) => new(Meters, CeleryMetrics.MeterName, instrument);

    private static IReadOnlyList<CollectedMeasurement<long>> Read(MetricCollector<long> collector)
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot(clear: true);
    }

    private static string Tag(CollectedMeasurement<long> m, string name) => m.Tags.TryGetValue(name, out var v) ? v?.ToString() ?? "" : "";

    private static CeleryEvent Event(CeleryEventType type, string hostname, string? exception = null) =>
        new() { Type = type, Uuid = Guid.NewGuid().ToString(), Hostname = hostname, Timestamp = 1_795_000_000, Exception = exception, Runtime = type == CeleryEventType.TaskSucceeded ? 0.5 : null };
}
