using System.Globalization;
using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Details;
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

    /// <summary>
    /// The channel compresses a record's details with its day's dictionary as the record enters, so the batch the
    /// flush loop takes already carries the bytes (the flush thread binds them), counted in the budget.
    /// </summary>
    [Fact]
    public void Write_DayWithADictionary_PreparedWriteCarriesTheCompressedDetailsInTheBudget_Issue29()
    {
        var time = new FakeTimeProvider(s_at);
        var budget = new MemoryBudget(64L << 20, time);
        var day = new DateOnly(2026, 11, 20);
        Task? training = null;
        var compression = new DetailCompression(sampleBytes: 32 << 10, dictionaryBytes: 4 << 10, run: a => training = Task.Run(a));
        compression.Register(day, [], maxId: 0);
        var channel = new InvocationChannel(new PipelineOptions(), new IngestCounters(), time, budget, compression: compression);

        PreparedWrite? prepared = null;
        for (var i = 0; i < 5_000 && prepared?.StoredKwargs is not byte[]; i++)
        {
            channel.Write(Shipped(i));
            Assert.True(channel.TryRead(out prepared, out var bytes, out _));
            Assert.Equal(RecordSize.Of(prepared.Record) + prepared.Bytes, bytes);
            budget.AddWriting(-bytes);
            if (training is not null)
            {
                // The channel went on (raw) while the sample trained elsewhere; wait for it here, with a deadline,
                // staying on this thread (the one that wrote every record).
                Assert.True(SpinWait.SpinUntil(() => training.IsCompleted, TimeSpan.FromSeconds(60)), "training did not finish");
            }
        }

        Assert.NotEqual(Environment.CurrentManagedThreadId, compression.LastTrainingThread);
        var stored = Assert.IsType<byte[]>(prepared!.StoredKwargs);
        Assert.Equal(DetailCodec.ZstdWithDictionary, stored[0]);
        Assert.NotNull(prepared.Dictionary);
        Assert.Equal(prepared.Record.Kwargs, DetailCodec.Decode(stored, _ => prepared.Dictionary));
        Assert.True(prepared.Bytes >= 24 + stored.Length, "the compressed bytes are in the byte budget");
    }

    private static InvocationRecord Shipped(int i)
    {
        var at = s_at.ToUnixTimeSeconds() + (i * 0.01);
        return new InvocationRecord
        {
            TaskId = $"t{i}", State = TaskStates.Success, StateAt = at, FinishedAt = at, Name = "shop.charge",
            Args = string.Create(CultureInfo.InvariantCulture, $"({i}, 'warehouse-{i % 7}')"),
            Kwargs = string.Create(CultureInfo.InvariantCulture, $"{{'order_id': {100_000 + (i * 7919 % 900_000)}, 'customer': 'cust-{i * 31 % 10_000:D5}', 'tier': 'gold', 'currency': 'EUR'}}"),
            Result = string.Create(CultureInfo.InvariantCulture, $"{{'status': 'shipped', 'tracking': 'TRK{i * 104_729 % 1_000_000:D6}'}}"),
        };
    }

    private static long RollupContributionHour(double unixSeconds) => (long)Math.Floor(unixSeconds / 3600) * 3600;
}
