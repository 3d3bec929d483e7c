using Ingest.Accounting;
using Ingest.Storage;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Tests.Tracking.TaskMergeTests;

namespace Ingest.Tests.Tracking;

public class TaskTrackerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ListSink _sink = new();
    private readonly IngestCounters _counters = new();

    [Fact]
    public void Apply_TerminalEvent_WritesTheInvocation()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskReceived, 1, name: "n", id: "a"));
        Assert.Empty(_sink.Records);

        tracker.Apply(Event(CeleryEventType.TaskSucceeded, 2, runtime: 1, id: "a"));

        var r = Assert.Single(_sink.Records);
        Assert.Equal(TaskStates.Success, r.State);
        Assert.Equal("n", r.Name);
    }

    [Fact]
    public void Apply_RetryThenSuccess_WritesRetryThenTheOutcome()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskRetried, 1, id: "a", exception: "Retry()"));
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, 3, id: "a"));

        Assert.Equal([TaskStates.Retry, TaskStates.Success], _sink.Records.Select(r => r.State));
    }

    [Fact]
    public void Apply_OverTheCap_WritesTheLeastRecentlyUpdatedWithItsLastStateAndCounts()
    {
        var tracker = Tracker(new TrackerOptions { MaxTasks = 2 });
        tracker.Apply(Event(CeleryEventType.TaskStarted, 1, id: "a"));
        tracker.Apply(Event(CeleryEventType.TaskStarted, 2, id: "b"));
        tracker.Apply(Event(CeleryEventType.TaskStarted, 3, id: "a"));
        tracker.Apply(Event(CeleryEventType.TaskStarted, 4, id: "c"));

        var evicted = Assert.Single(_sink.Records);
        Assert.Equal("b", evicted.TaskId);
        Assert.Equal(TaskStates.Started, evicted.State);
        Assert.Equal(1, _counters.EarlyWrites(EarlyWriteReason.Capacity));
        Assert.Equal(2, tracker.Count);
    }

    [Fact]
    public void Apply_OverTheCap_ForgetsFinishedTasksFirstWithoutAnEarlyWrite()
    {
        var tracker = Tracker(new TrackerOptions { MaxTasks = 2 });
        tracker.Apply(Event(CeleryEventType.TaskStarted, 1, id: "a"));
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, 2, id: "b"));
        tracker.Apply(Event(CeleryEventType.TaskStarted, 3, id: "c"));

        Assert.Equal(["b"], _sink.Records.Select(r => r.TaskId));
        Assert.Equal(0, _counters.EarlyWrites(EarlyWriteReason.Capacity));
        Assert.NotNull(tracker.TryGet("a"));
    }

    [Fact]
    public void Sweep_TaskIdlePastTimeout_IsWrittenWithLastStateAndCounted()
    {
        var tracker = Tracker(new TrackerOptions { IdleTimeout = TimeSpan.FromHours(1) });
        tracker.Apply(Event(CeleryEventType.TaskStarted, 1, id: "a", name: "n"));

        _time.Advance(TimeSpan.FromMinutes(59));
        tracker.Sweep();
        Assert.Empty(_sink.Records);

        _time.Advance(TimeSpan.FromMinutes(1));
        tracker.Sweep();

        var r = Assert.Single(_sink.Records);
        Assert.Equal(TaskStates.Started, r.State);
        Assert.Equal(1, _counters.EarlyWrites(EarlyWriteReason.Idle));
        Assert.Null(tracker.TryGet("a"));
    }

    [Fact]
    public void Apply_LateSentWithinLinger_MergesIntoTheFinishedTaskAndWritesAgain()
    {
        var tracker = Tracker(new TrackerOptions { FinishedLinger = TimeSpan.FromSeconds(10) });
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, 5, id: "a"));
        _time.Advance(TimeSpan.FromSeconds(5));

        tracker.Apply(new CeleryEvent { Type = CeleryEventType.TaskSent, Uuid = "a", Timestamp = 1, Name = "late.name", Queue = "orders" });

        Assert.Equal(2, _sink.Records.Count);
        Assert.Equal(TaskStates.Success, _sink.Records[1].State);
        Assert.Equal("orders", _sink.Records[1].Queue);
    }

    [Fact]
    public void Sweep_FinishedTaskPastLinger_IsForgottenWithoutAnotherWrite()
    {
        var tracker = Tracker(new TrackerOptions { FinishedLinger = TimeSpan.FromSeconds(10) });
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, 5, id: "a"));

        _time.Advance(TimeSpan.FromSeconds(10));
        tracker.Sweep();

        Assert.Single(_sink.Records);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void FlushAll_WritesUnfinishedTasksOnlyAndCountsThem()
    {
        var tracker = Tracker();
        tracker.Apply(Event(CeleryEventType.TaskStarted, 1, id: "running"));
        tracker.Apply(Event(CeleryEventType.TaskSucceeded, 1, id: "done"));

        var written = tracker.FlushAll();

        Assert.Equal(1, written);
        Assert.Equal(["done", "running"], _sink.Records.Select(r => r.TaskId));
        Assert.Equal(1, _counters.EarlyWrites(EarlyWriteReason.Shutdown));
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void Apply_FromManyThreads_KeepsEveryTaskExactlyOnce()
    {
        var tracker = Tracker(new TrackerOptions { FinishedLinger = TimeSpan.FromMinutes(5) });
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 500; i++)
            {
                var id = $"{worker}-{i}";
                tracker.Apply(Event(CeleryEventType.TaskReceived, i, id: id));
                tracker.Apply(Event(CeleryEventType.TaskSucceeded, i + 0.5, id: id));
            }
        });

        Assert.Equal(2000, _sink.Records.Select(r => r.TaskId).Distinct().Count());
        Assert.All(_sink.Records, r => Assert.Equal(TaskStates.Success, r.State));
        Assert.Equal(0, tracker.InFlight);
    }

    private TaskTracker Tracker(TrackerOptions? options = null) => new(options ?? new TrackerOptions(), _sink, _counters, _time);
}
