using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Pipeline;

/// <summary>The partitions one batch creates are bounded in number and in time, and none outside the window (issue 24).</summary>
public class NewDayGateTests
{
    [Theory]
    [InlineData(0, 4)] // nothing measured yet: the count bounds it
    [InlineData(1_000, 4)] // 1 s a day against a 15 s budget: still the count
    [InlineData(5_000, 3)]
    [InlineData(60_000, 1)] // one day costs more than the budget: one a batch, so the backlog still moves
    public void NewDaysAllowed_LastCreationCost_FitsTheDaysInTheBudget_Issue24(int costMs, int allowed)
    {
        var gate = new NewDayGate(4, TimeSpan.FromSeconds(15));
        gate.Attach(new CostlyDays(TimeSpan.FromMilliseconds(costMs)));

        Assert.Equal(allowed, gate.NewDaysAllowed);
    }

    [Fact]
    public void Admit_OneNewDayTooMany_WaitsForTheNextBatch_Issue24()
    {
        var gate = new NewDayGate(2, TimeSpan.FromSeconds(15));
        gate.Attach(new CostlyDays(TimeSpan.Zero));

        Assert.Equal(DayAdmission.Take, gate.Admit(On(1)));
        Assert.Equal(DayAdmission.Take, gate.Admit(On(2)));
        Assert.Equal(DayAdmission.Take, gate.Admit(On(1)));
        Assert.Equal(DayAdmission.Wait, gate.Admit(On(3)));
        gate.NextBatch();
        Assert.Equal(DayAdmission.Take, gate.Admit(On(3)));
    }

    [Fact]
    public async Task Flush_RecordsOnFortyNewDays_NoBatchCreatesMoreThanTheLimit_EveryRecordStored_Issue24()
    {
        using var dir = new TempDirectory();
        var storage = new StorageOptions { DatabasePath = dir.File("ingest.db") };
        var retention = new RetentionOptions { Days = 60 };
        var today = TestClock.Now;
        var counting = new NewDaysPerBatch(new SqliteBatchWriter(storage, retention, new StorageStatus(), TestClock.Moving, NullLogger.Instance));
        var options = new PipelineOptions { BatchSize = 2000, MaxBatchWait = TimeSpan.Zero, MaxNewDaysPerBatch = 4 };
        await using (var h = new PipelineHarness(options, TestClock.Moving, () => counting))
        {
            for (var i = 0; i < 40; i++)
            {
                h.Channel.Write(Dated(i, today.AddDays(-(i + 5))));
            }

            await h.StartAsync();
            await Wait.UntilAsync(() => h.Counters.InvocationsFlushed == 40, "the forty records to be written");

            Assert.InRange(counting.Max, 1, 4);
            Assert.Equal(0, h.Counters.DroppedTotal);
            h.AssertBalanced();
        }

        Assert.Equal(40, StoredInvocations.All(storage.DatabasePath).Count);
    }

    [Fact]
    public async Task Flush_RecordsDatedOutsideTheWindow_AreSetAsideCounted_NoPartitionMade_Issue24()
    {
        using var dir = new TempDirectory();
        var storage = new StorageOptions { DatabasePath = dir.File("ingest.db") };
        var now = TestClock.Now;
        var options = new PipelineOptions { MaxBatchWait = TimeSpan.Zero };
        await using (var h = new PipelineHarness(options, TestClock.Moving, () => new SqliteBatchWriter(storage, new RetentionOptions { Days = 7 }, new StorageStatus(), TestClock.Moving, NullLogger.Instance)))
        {
            await h.StartAsync();
            h.Channel.Write(Dated(0, now));
            h.Channel.Write(Dated(1, now.AddDays(-30))); // older than retention keeps
            h.Channel.Write(Dated(2, new DateTimeOffset(1990, 6, 1, 0, 0, 0, TimeSpan.Zero)));
            h.Channel.Write(Dated(3, now.AddDays(3))); // past tomorrow
            h.Channel.Write(Dated(4, now.AddDays(-6)));
            await Wait.UntilAsync(() => h.Queued == 0 && h.Counters.InvocationsFlushed + h.Counters.DroppedTotal == 5, "the five records to be written or set aside");

            Assert.Equal(3, h.Counters.Dropped(DropReason.OutsideWindow));
            Assert.Equal(2, h.Counters.InvocationsFlushed);
            h.AssertBalanced();
        }

        var window = PartitionWindow.For(TestClock.Now, 7);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={storage.DatabasePath}");
        connection.Open();
        Assert.All(PartitionCatalog.ListDays(connection), d => Assert.True(window.Contains(d.Day), $"partition {d} outside {window}"));
    }

    private static InvocationRecord On(int day) =>
        PipelineHarness.Record(day) with { StateAt = 1_795_376_624 + (day * 86_400d), FinishedAt = 1_795_376_624 + (day * 86_400d) };

    private static InvocationRecord Dated(int i, DateTimeOffset at) =>
        PipelineHarness.Record(i) with { StateAt = at.ToUnixTimeSeconds(), FinishedAt = at.ToUnixTimeSeconds() };

    /// <summary>A writer where no day exists yet and each costs what it is told.</summary>
    private sealed class CostlyDays(TimeSpan cost) : IBatchWriter
    {
        public void ProbeWrite()
        {
        }

        public TimeSpan NewDayCost => cost;

        public DayPlacement Place(DateOnly day) => DayPlacement.New;

        public void Write(IReadOnlyList<InvocationRecord> batch, Ingest.Storage.Checkpoint.CheckpointDelta? checkpoint = null)
        {
        }

        public void WriteQueueSamples(IReadOnlyList<Ingest.Storage.Rollups.QueueSample> samples)
        {
        }

        public bool Maintain(CancellationToken cancellationToken) => false;

        public void Dispose()
        {
        }
    }

    /// <summary>The real writer, counting the days each batch creates.</summary>
    private sealed class NewDaysPerBatch(IBatchWriter inner) : IBatchWriter
    {
        public void ProbeWrite()
        {
        }

        public int Max { get; private set; }

        public DayPlacement Place(DateOnly day) => inner.Place(day);

        public TimeSpan NewDayCost => inner.NewDayCost;

        public void Write(IReadOnlyList<InvocationRecord> batch, Ingest.Storage.Checkpoint.CheckpointDelta? checkpoint = null)
        {
            var created = batch.Select(r => DayPartition.DayOf(r.PartitionTime)).Distinct().Count(d => inner.Place(d) != DayPlacement.Existing);
            Max = Math.Max(Max, created);
            inner.Write(batch, checkpoint);
        }

        public void WriteQueueSamples(IReadOnlyList<Ingest.Storage.Rollups.QueueSample> samples) => inner.WriteQueueSamples(samples);

        public bool Maintain(CancellationToken cancellationToken) => inner.Maintain(cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
