using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

/// <summary>Issue 29: the detail sample as a policy on its own, on a fake clock.</summary>
public class DetailSamplerTests
{
    private const int Rate = 100;
    private static readonly DateTimeOffset s_at = new(2026, 11, 20, 13, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Keeps_BelowTheRate_KeepsEverySuccess_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var sampler = new DetailSampler(Rate, time, new IngestCounters());
        var kept = 0;
        // 90 a minute for three minutes: under 100 a minute throughout.
        for (var i = 0; i < 270; i++)
        {
            kept += sampler.Keeps(Success($"t-{i}")) ? 1 : 0;
            time.Advance(TimeSpan.FromSeconds(60.0 / 90));
        }

        Assert.Equal(270, kept);
    }

    [Fact]
    public void Keeps_TenTimesTheRate_KeepsAboutTheRateEachMinute_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var counters = new IngestCounters();
        var sampler = new DetailSampler(Rate, time, counters);
        var keptInMinute = new int[4];
        // 1000 a minute for four minutes; from the second minute on the estimate is steady.
        for (var i = 0; i < 4000; i++)
        {
            var record = sampler.Apply(Success($"t-{i}"));
            keptInMinute[i / 1000] += record.DetailsSampled ? 0 : 1;
            time.Advance(TimeSpan.FromMilliseconds(60));
        }

        for (var minute = 1; minute < 4; minute++)
        {
            Assert.InRange(keptInMinute[minute], 70, 140);
        }

        Assert.Equal(4000 - keptInMinute.Sum(), counters.DetailsSampled);
    }

    [Fact]
    public void Apply_SampledSuccess_LeavesOutItsDetailsAndFlagsIt_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var sampler = new DetailSampler(1, time, new IngestCounters());
        InvocationRecord? sampled = null;
        for (var i = 0; i < 200 && sampled is null; i++)
        {
            sampled = sampler.Apply(Success($"t-{i}")) is { DetailsSampled: true } s ? s : null;
        }

        Assert.NotNull(sampled);
        Assert.Null(sampled.Args);
        Assert.Null(sampled.Kwargs);
        Assert.Null(sampled.Result);
        Assert.Equal(TaskStates.Success, sampled.State);
        Assert.Equal("shop.tasks.process_order", sampled.Name);
    }

    [Fact]
    public void Keeps_FailuresAndRetriesAboveTheRate_AlwaysKept_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var sampler = new DetailSampler(1, time, new IngestCounters());
        for (var i = 0; i < 500; i++)
        {
            sampler.Keeps(Success($"t-{i}"));
        }

        for (var i = 0; i < 200; i++)
        {
            Assert.True(sampler.Keeps(Success($"f-{i}") with { State = TaskStates.Failure, Result = null, Exception = "ValueError('x')", Traceback = "tb" }));
            Assert.True(sampler.Keeps(Success($"r-{i}") with { Retries = 1 }));
            Assert.True(sampler.Keeps(Success($"q-{i}") with { State = TaskStates.Retry }));
        }
    }

    [Fact]
    public void Keeps_SameTaskIdAtTheSameRate_DecidesTheSameWay_Issue29()
    {
        var first = Decisions(new FakeTimeProvider(s_at));
        var second = Decisions(new FakeTimeProvider(s_at.AddDays(3)));

        Assert.Equal(first, second);
        Assert.Contains(true, first);
        Assert.Contains(false, first);
        // The hash is FNV-1a, the same in every process (not string.GetHashCode, seeded per process).
        Assert.Equal(0.07809929210726041, DetailSampler.Fraction("task-42"), 12);
    }

    [Fact]
    public void Keeps_MoreNamesThanTheCap_LetsTheOldestGoAndCountsIt_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var counters = new IngestCounters();
        var sampler = new DetailSampler(Rate, time, counters, maxNames: 3);

        for (var n = 0; n < 5; n++)
        {
            sampler.Keeps(Success($"t-{n}") with { Name = $"task.{n}" });
        }

        Assert.Equal(3, sampler.NameCount);
        Assert.Equal(2, counters.DetailSampleNamesDropped);
    }

    private static bool[] Decisions(FakeTimeProvider time)
    {
        var sampler = new DetailSampler(Rate, time, new IngestCounters());
        var decisions = new bool[1500];
        for (var i = 0; i < decisions.Length; i++)
        {
            decisions[i] = sampler.Keeps(Success($"t-{i}"));
            time.Advance(TimeSpan.FromMilliseconds(60));
        }

        return decisions;
    }

    private static InvocationRecord Success(string taskId) => new()
    {
        TaskId = taskId,
        State = TaskStates.Success,
        StateAt = 1_795_376_624,
        FinishedAt = 1_795_376_624,
        Name = "shop.tasks.process_order",
        Args = "(1,)",
        Kwargs = "{}",
        Result = "'ok'",
    };
}
