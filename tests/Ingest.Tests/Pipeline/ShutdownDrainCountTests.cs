using Ingest.Accounting;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Retention;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

/// <summary>
/// What the shutdown drain cannot write is counted, with its number, and recorded for the next start (issue 24: the
/// drain gave up with "records unwritten" and no number, and about 21,000 tasks answered 202 went uncounted).
/// </summary>
public class ShutdownDrainCountTests
{
    [Fact]
    public async Task Drain_BudgetTooSmall_CountsTheRestAsShutdown_AndTheNextStartReadsTheCount_Issue24()
    {
        using var dir = new TempDirectory();
        var storage = new StorageOptions { DatabasePath = dir.File("ingest.db") };
        var options = new PipelineOptions { BatchSize = 100, MaxBatchWait = TimeSpan.Zero, ShutdownDrainBudget = TimeSpan.Zero };
        IBatchWriter Open() => new SqliteBatchWriter(storage, new RetentionOptions(), new StorageStatus(), TestClock.Moving, NullLogger.Instance);

        var gate = new GatedWriter(Open());
        await using (var h = new PipelineHarness(options, TestClock.Moving, () => gate))
        {
            await h.StartAsync();
            gate.Close();
            h.Channel.Write(PipelineHarness.Record(0));
            await gate.EnteredAsync().WaitAsync(Wait.Default); // the loop holds one record in a write
            for (var i = 1; i <= 500; i++)
            {
                h.Channel.Write(PipelineHarness.Record(i));
            }

            var stopped = h.StopAsync();
            gate.Open();
            await stopped;

            Assert.Equal(1, h.Counters.InvocationsFlushed);
            Assert.Equal(500, h.Counters.Dropped(DropReason.Shutdown));
            h.AssertBalanced();
        }

        await using (var next = new PipelineHarness(options, TestClock.Moving, Open))
        {
            await next.StartAsync();

            Assert.Equal(500, next.Counters.DroppedAtLastShutdown);
            Assert.Equal(0, next.Counters.DroppedTotal); // that process counted them; this one reports them
        }

        using var writer = Open();
        Assert.Equal(0, writer.ReadShutdownDrops()); // the clean drain that just ran recorded none
    }

    [Fact]
    public async Task Drain_NextBatchWouldOutlastTheBudget_StartsNoBatch_CountsEveryRecordLeft_Issue24()
    {
        // Batches take 30 s (the clock is moved inside each write); the budget is 20 s and the stop waits 5 s more.
        var time = new FakeTimeProvider(TestClock.Now);
        var gate = new GatedWriter(new SlowWriter(time, TimeSpan.FromSeconds(30)));
        var options = new PipelineOptions
        {
            BatchSize = 10, MaxBatchWait = TimeSpan.Zero, ShutdownDrainBudget = TimeSpan.FromSeconds(20), CheckpointInterval = TimeSpan.Zero,
        };
        await using var h = new PipelineHarness(options, time, () => gate);
        await h.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            h.Channel.Write(PipelineHarness.Record(i));
        }

        await Wait.UntilAsync(() => h.Counters.InvocationsFlushed == 10, "the first batch");
        // The first ten may have been read as more than one batch (no batch wait: a loaded machine splits them, seen
        // under -1d as 3 attempts); take every entry they made, so the next wait is for the batch of record 10.
        var before = gate.Attempts;
        for (var i = 0; i < before; i++)
        {
            await gate.EnteredAsync().WaitAsync(Wait.Default);
        }

        gate.Close();
        h.Channel.Write(PipelineHarness.Record(10));
        await gate.EnteredAsync().WaitAsync(Wait.Default);
        for (var i = 11; i < 61; i++)
        {
            h.Channel.Write(PipelineHarness.Record(i));
        }

        var stopped = h.StopAsync();
        gate.Open();
        await stopped;

        Assert.Equal(before + 1, gate.Attempts); // the batches before the stop; none in the drain
        Assert.Equal(50, h.Counters.Dropped(DropReason.Shutdown));
        h.AssertBalanced();
    }

    /// <summary>A writer whose every batch takes <paramref name="took"/> on the test's clock.</summary>
    private sealed class SlowWriter(FakeTimeProvider time, TimeSpan took) : IBatchWriter
    {
        public void ProbeWrite()
        {
        }

        public void Write(IReadOnlyList<InvocationRecord> batch, Ingest.Storage.Checkpoint.CheckpointDelta? checkpoint = null)
        {
            if (batch.Count > 0)
            {
                time.Advance(took);
            }
        }

        public void WriteQueueSamples(IReadOnlyList<Ingest.Storage.Rollups.QueueSample> samples)
        {
        }

        public bool Maintain(CancellationToken cancellationToken) => false;

        public void Dispose()
        {
        }
    }
}
