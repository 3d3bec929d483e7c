using Ingest.Tests.Pipeline;
using Ingest.Accounting;
using Ingest.Diagnostics;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Accounting;

/// <summary>The byte budget over the tracker and the channel (issue 12: a task cap let RSS reach 3 GiB).</summary>
public class MemoryBudgetTests
{
    private static readonly string s_big = new('a', 32_000);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly IngestCounters _counters;
    private readonly PipelineOptions _options = new() { MaxMemoryMb = 16, ChannelCapacity = 1_000_000 };

    public MemoryBudgetTests()
    {
        _counters = new IngestCounters(_time);
    }

    [Fact]
    public void Tracker_UnfinishedTasksWithHugeArgs_StaysWithinItsShareAndWritesTheOldestEarly_Issue12()
    {
        var budget = new MemoryBudget(_options.MaxMemoryBytes, _time);
        var sink = new ListSink();
        var tracker = new TaskTracker(new TrackerOptions(), sink, _counters, _time, budget);
        var oneTask = 0L;

        for (var i = 0; i < 2_000; i++)
        {
            tracker.Apply(Received($"t{i}", i));
            oneTask = Math.Max(oneTask, 4 * s_big.Length);
            Assert.True(budget.TrackerBytes <= budget.TrackerLimitBytes, $"tracker holds {budget.TrackerBytes} bytes after task {i}");
        }

        // 2,000 tasks of 128 KB would be 256 MB; the tracker's share (10 MiB of 16) holds about 80 of them.
        Assert.InRange(tracker.InFlight, 70, 82);
        Assert.Equal(2_000 - tracker.InFlight, _counters.EarlyWrites(EarlyWriteReason.Memory));
        // Oldest first, each with its name and args: nothing is lost, only written before it finished.
        Assert.Equal(Enumerable.Range(0, sink.Records.Count).Select(i => $"t{i}"), sink.Records.Select(r => r.TaskId));
        Assert.All(sink.Records, r => Assert.Equal(s_big, r.Args));
        Assert.True(budget.LastLimitedTimestamp != 0);

        tracker.FlushAll();
        Assert.Equal(0, budget.TrackerBytes);
    }

    [Fact]
    public void Channel_OverTheBudget_DropsTheOldestCountedAndAccountsWhatLeaves_Issue12()
    {
        var budget = new MemoryBudget(_options.MaxMemoryBytes, _time);
        var channel = new InvocationChannel(_options, _counters, _time, budget);
        var record = new InvocationRecord { TaskId = "x", State = TaskStates.Started, StateAt = 1, Args = s_big, Kwargs = s_big };
        // The channel counts the record with what preparing its write added (issue 29).
        var each = RecordSize.Of(record) + Storage.Writing.PreparedWrite.Of(record, WorkerGroups.Default).Bytes;

        for (var i = 0; i < 500; i++)
        {
            channel.Write(record with { TaskId = $"x{i}" });
            Assert.True(budget.UsedBytes <= budget.LimitBytes);
        }

        var fits = (int)(budget.LimitBytes / each);
        Assert.Equal(fits, channel.Count);
        Assert.Equal(500 - fits, _counters.Dropped(DropReason.MemoryBudget));
        Assert.True(channel.TryRead(out var oldest));
        Assert.Equal($"x{500 - fits}", oldest.TaskId);
        while (channel.TryRead(out _))
        {
        }

        Assert.Equal(0, budget.ChannelBytes);
        Assert.Equal(_counters.InvocationsReceived, fits + _counters.DroppedTotal);
    }

    [Fact]
    public void Tracker_WritingEarlyIntoTheChannel_LeavesTheChannelAQuarterOfTheBudget()
    {
        // The tracker's share is five eighths, so what it lets go fits in the channel without a drop.
        var budget = new MemoryBudget(_options.MaxMemoryBytes, _time);
        var channel = new InvocationChannel(_options, _counters, _time, budget);
        var tracker = new TaskTracker(new TrackerOptions(), channel, _counters, _time, budget);

        for (var i = 0; i < 100; i++)
        {
            tracker.Apply(Received($"t{i}", i));
        }

        Assert.True(_counters.EarlyWrites(EarlyWriteReason.Memory) > 0);
        Assert.Equal(0, _counters.Dropped(DropReason.MemoryBudget));
        Assert.True(budget.UsedBytes <= budget.LimitBytes);
    }

    [Fact]
    public async Task Health_WhileTheBudgetIsTheLimit_IsDegradedAndSaysSo_Issue12()
    {
        await using var h = new PipelineHarness(new PipelineOptions { MaxMemoryMb = 16 }, _time, () => new GatedWriter());
        Assert.Equal(HealthStatus.Ok, h.Status.Evaluate().Status);

        for (var i = 0; i < 200; i++)
        {
            h.Tracker.Apply(Received($"t{i}", i));
        }

        var health = h.Status.Evaluate();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains(health.Reasons, r => r.Contains("memory budget of 16 MiB", StringComparison.Ordinal));
    }

    private static CeleryEvent Received(string id, int i) => new()
    {
        Type = CeleryEventType.TaskReceived, Uuid = id, Timestamp = 1_795_376_624 + i, Name = "shop.tasks.import", Args = s_big, Kwargs = s_big,
    };
}
