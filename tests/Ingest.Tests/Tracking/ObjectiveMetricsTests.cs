using System.Diagnostics.Metrics;
using Ingest.Accounting;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Ingest.Tests.Tracking;

/// <summary>Issue 28: the objectives' SLI counters: per objective, not per task name, zeros from the start, the name cache capped.</summary>
public sealed class ObjectiveMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    private static readonly ObjectiveSli[] s_objectives =
    [
        new("payments", n => n == "billing.charge", Success: true, RuntimeSeconds: 2, QueueWaitSeconds: null),
        new("reports", n => n.StartsWith("reports.", StringComparison.Ordinal), Success: false, RuntimeSeconds: null, QueueWaitSeconds: 30),
    ];

    [Fact]
    public void Record_EventsOfCoveredAndOtherTasks_GoodAndBadPerObjectiveOnly_Issue28()
    {
        var metrics = new ObjectiveMetrics(Meters, s_objectives);
        using var events = new MetricCollector<long>(Meters, ObjectiveMetrics.MeterName, "ingest.objective.events");
        var charge = new TaskLabels("billing.charge", "q", null, false);

        metrics.Record(Event(CeleryEventType.TaskSucceeded, runtime: 0.5), charge);
        metrics.Record(Event(CeleryEventType.TaskSucceeded, runtime: 9), charge);
        metrics.Record(Event(CeleryEventType.TaskFailed), charge);
        metrics.Record(Event(CeleryEventType.TaskStarted, at: 1000), new TaskLabels("reports.daily", "q", 900, false));
        metrics.Record(Event(CeleryEventType.TaskStarted, at: 1000), new TaskLabels("reports.weekly", "q", 990, false));
        metrics.Record(Event(CeleryEventType.TaskStarted, at: 1000), new TaskLabels("reports.eta", "q", 0, true));
        metrics.Record(Event(CeleryEventType.TaskFailed), new TaskLabels("mail.send", "q", null, false));

        Assert.Equal(
            [
                ("payments", "latency", "bad", 1L), ("payments", "latency", "good", 1L), ("payments", "success", "bad", 1L), ("payments", "success", "good", 2L),
                ("reports", "latency", "bad", 1L), ("reports", "latency", "good", 1L),
            ],
            Read(events).Select(m => (Tag(m, "objective"), Tag(m, "sli"), Tag(m, "outcome"), m.Value)).Order());
    }

    /// <summary>Every series at zero before any event: a rate over the first minutes has a first sample to start from.</summary>
    [Fact]
    public void Observe_NoEventsYet_EverySeriesAtZero_Issue28()
    {
        _ = new ObjectiveMetrics(Meters, s_objectives);
        using var events = new MetricCollector<long>(Meters, ObjectiveMetrics.MeterName, "ingest.objective.events");

        var read = Read(events);

        Assert.Equal(6, read.Count);
        Assert.All(read, m => Assert.Equal(0, m.Value));
    }

    /// <summary>Past the cache, names are matched again on each event (still counted right) and each such event counted as overflow.</summary>
    [Fact]
    public void Record_MoreNamesThanTheCache_StillCountedAndOverflowCounted_Issue28()
    {
        var metrics = new ObjectiveMetrics(Meters, s_objectives, maxCached: 1);
        using var events = new MetricCollector<long>(Meters, ObjectiveMetrics.MeterName, "ingest.objective.events");
        using var overflow = new MetricCollector<long>(Meters, ObjectiveMetrics.MeterName, "ingest.objective.match_cache.overflow");

        metrics.Record(Event(CeleryEventType.TaskSucceeded, runtime: 0.1), new TaskLabels("mail.send", "q", null, false));
        metrics.Record(Event(CeleryEventType.TaskSucceeded, runtime: 0.1), new TaskLabels("billing.charge", "q", null, false));
        metrics.Record(Event(CeleryEventType.TaskSucceeded, runtime: 0.1), new TaskLabels("billing.charge", "q", null, false));

        Assert.Equal(2, Read(events).Single(m => Tag(m, "objective") == "payments" && Tag(m, "sli") == "success" && Tag(m, "outcome") == "good").Value);
        Assert.Equal(2, Read(overflow).Single().Value);
    }

    private static IReadOnlyList<CollectedMeasurement<long>> Read(MetricCollector<long> collector)
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot(clear: true);
    }

    private static string Tag(CollectedMeasurement<long> m, string name) => m.Tags.TryGetValue(name, out var v) ? v?.ToString() ?? "" : "";

    private static CeleryEvent Event(CeleryEventType type, double? runtime = null, double at = 1_795_000_000) =>
        new() { Type = type, Uuid = Guid.NewGuid().ToString(), Hostname = "celery@a", Timestamp = at, Runtime = runtime };
}
