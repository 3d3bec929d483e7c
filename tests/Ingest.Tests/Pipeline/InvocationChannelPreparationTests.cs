using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

/// <summary>Issue 29: a record enters the channel prepared for its write, and the preparation is in the byte budget.</summary>
public class InvocationChannelPreparationTests
{
    private static readonly DateTimeOffset s_at = new(2026, 11, 20, 13, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Write_Failure_HandsTheFlushItsDayRollupAndSearchTextCountedInTheBudget_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var budget = new MemoryBudget(64L << 20, time);
        var channel = new InvocationChannel(new PipelineOptions(), new IngestCounters(), time, budget, new WorkerGroups(@"^celery@(\w+)"));
        var finished = s_at.ToUnixTimeSeconds();
        var record = new InvocationRecord
        {
            TaskId = "t1", State = TaskStates.Failure, StateAt = finished, FinishedAt = finished, Name = "shop.charge",
            Worker = "celery@billing-7f9c8d6b5-x2k4p", Exception = "ValueError('boom')",
            Traceback = "Traceback (most recent call last):\n  File \"/app/shop.py\", line 9, in charge\n    raise ValueError('boom')\nValueError: boom",
        };

        channel.Write(record);

        Assert.True(channel.TryRead(out PreparedWrite prepared, out var bytes, out _));
        Assert.Same(record, prepared.Record);
        Assert.Equal(new DayPartition(new DateOnly(2026, 11, 20)), prepared.Day);
        Assert.Equal("billing", prepared.Contribution.WorkerGroup);
        Assert.Equal("ValueError", prepared.Contribution.ExceptionType);
        Assert.Equal(RollupContributionHour(finished), prepared.Contribution.Hour);
        Assert.StartsWith("ValueError('boom') ", prepared.SearchResult, StringComparison.Ordinal);
        Assert.Contains("File \"/app/shop.py\", line 9", prepared.SearchResult, StringComparison.Ordinal);
        Assert.True(prepared.HasDetails);
        Assert.True(prepared.Bytes > 0);
        Assert.Equal(RecordSize.Of(record) + prepared.Bytes, bytes);
        Assert.Equal(bytes, budget.WritingBytes);
    }

    private static long RollupContributionHour(double unixSeconds) => (long)Math.Floor(unixSeconds / 3600) * 3600;
}
