using Ingest.Storage.Rollups;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Rollups;

public sealed class RollupTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options(int maxNames = 10_000) => new() { DatabasePath = _dir.File("r.db"), MaxTaskNamesPerDay = maxNames };

    [Fact]
    public void WriteBatch_CountsEachTaskOnceByFinalStatePerNameAndHour()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch(
        [
            Finished("a1", TaskStates.Success, At(2026, 11, 22, 10, 5)),
            Finished("a2", TaskStates.Failure, At(2026, 11, 22, 10, 59)),
            Finished("a3", TaskStates.Success, At(2026, 11, 22, 11, 0)),
            Finished("b1", TaskStates.Success, At(2026, 11, 22, 10, 30), name: "mail.send"),
        ]);
        // A retry written early, then its outcome: one task, counted once, as SUCCESS.
        writer.WriteBatch([Finished("a4", TaskStates.Retry, At(2026, 11, 22, 10, 10)) with { FinishedAt = null, RuntimeSeconds = null }]);
        writer.WriteBatch([Finished("a4", TaskStates.Success, At(2026, 11, 22, 10, 12))]);

        var rows = new RollupReader(options).TaskHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0));

        var ten = Assert.Single(rows, r => r.Name == "shop.process_order" && r.Hour == (long)At(2026, 11, 22, 10));
        Assert.Equal((3, 2, 1, 0), (ten.Total, ten.Count(TaskStates.Success), ten.Count(TaskStates.Failure), ten.Count(TaskStates.Retry)));
        Assert.Equal(3, ten.RuntimeCount);
        Assert.Equal(1, Assert.Single(rows, r => r.Name == "shop.process_order" && r.Hour == (long)At(2026, 11, 22, 11)).Total);
        Assert.Equal(1, Assert.Single(rows, r => r.Name == "mail.send").Count(TaskStates.Success));
    }

    [Fact]
    public void WriteBatch_TaskWrittenEarlyOnOneDayAndFinishedTheNext_CountsOnlyInItsFinalDay()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        var received = At(2026, 11, 21, 23, 59);
        writer.WriteBatch([Finished("late", TaskStates.Started, received) with { FinishedAt = null, ReceivedAt = received, RuntimeSeconds = null }]);
        writer.WriteBatch([Finished("late", TaskStates.Success, At(2026, 11, 22, 0, 1)) with { ReceivedAt = received }]);

        var rows = new RollupReader(options).TaskHours(At(2026, 11, 21, 0), At(2026, 11, 23, 0));

        Assert.Equal(1, rows.Sum(r => r.Total));
        Assert.Equal(1, rows.Sum(r => r.Count(TaskStates.Success)));
        Assert.Equal(0, rows.Sum(r => r.Count(TaskStates.Started)));
    }

    /// <summary>
    /// Issue 16: failures by queue and worker group, counted once per task in its final state: a task that failed
    /// and was written again as a success leaves no failure behind.
    /// </summary>
    [Fact]
    public void WriteBatch_FailureFacets_ByQueueAndWorkerGroup_FollowTheFinalState()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        var t = At(2026, 11, 22, 10, 5);
        InvocationRecord Failed(string id, string queue, string worker) =>
            Finished(id, TaskStates.Failure, t) with { Queue = queue, Worker = worker, Exception = "PaymentDeclined('x')" };
        writer.WriteBatch([Failed("f1", "orders", "celery@orders-7f9c8d6b5-x2k4p"), Failed("f2", "orders", "celery@orders-7f9c8d6b5-q8w2z"), Failed("f3", "mail", "celery@mail-0")]);
        writer.WriteBatch([Finished("f2", TaskStates.Success, t + 60) with { Queue = "orders", Worker = "celery@orders-7f9c8d6b5-q8w2z" }]);

        var reader = new RollupReader(options);
        long Count(string? queue, string? group) => reader.FailureHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0), null, queue, group).Sum(r => r.Count);

        Assert.Equal(1, Count("orders", null));
        Assert.Equal(1, Count(null, "orders"));
        Assert.Equal(1, Count("mail", "mail"));
        Assert.Equal(0, Count("mail", "orders"));
        Assert.Equal(2, reader.FailureHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0)).Sum(r => r.Count));
    }

    /// <summary>
    /// Issue 16: the facet rollup counts each task once per queue, worker group and hour (pods of one deployment
    /// are one group), with histograms of the wait in the broker's queue and the wait for a worker slot; a task
    /// written early and merged later moves to its final state and worker.
    /// </summary>
    [Fact]
    public void WriteBatch_FacetRollup_ByQueueAndWorkerGroup_WithBothWaits()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        InvocationRecord Run(string id, string worker, string queue, double sent, double queued, double pickup, string state = TaskStates.Success) =>
            Finished(id, state, sent + queued + pickup + 1) with
            {
                Worker = worker, Queue = queue, SentAt = sent, ReceivedAt = sent + queued, StartedAt = sent + queued + pickup, RuntimeSeconds = 1,
            };

        var t = At(2026, 11, 22, 10, 5);
        writer.WriteBatch(
        [
            Run("a1", "celery@orders-7f9c8d6b5-x2k4p", "orders", t, 0.5, 0.01),
            Run("a2", "celery@orders-7f9c8d6b5-q8w2z", "orders", t, 1.5, 0.02),
            Run("a3", "celery@orders-7f9c8d6b5-q8w2z", "orders", t, 2.5, 0.03, TaskStates.Failure),
            Run("b1", "celery@mail-0", "mail", t, 30, 4),
        ]);
        // Written early on another worker, then its outcome: counted once, where it finished.
        writer.WriteBatch([Run("a4", "celery@mail-0", "orders", t, 3, 0.04, TaskStates.Started) with { FinishedAt = null, RuntimeSeconds = null }]);
        writer.WriteBatch([Run("a4", "celery@orders-7f9c8d6b5-x2k4p", "orders", t, 3.5, 0.04)]);

        var rows = new RollupReader(options).GroupHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0));

        var orders = Assert.Single(rows, r => r.Queue == "orders" && r.Counts.Total != 0);
        Assert.Equal("orders", orders.WorkerGroup);
        Assert.Equal((4, 3, 1), (orders.Counts.Total, orders.Counts.Count(TaskStates.Success), orders.Counts.Count(TaskStates.Failure)));
        Assert.Equal(4, orders.QueueWaitCount);
        Assert.Equal(0.5 + 1.5 + 2.5 + 3.5, orders.QueueWaitSum, 6);
        var waits = new RuntimeHistogram();
        waits.Add(orders.QueueWaits);
        Assert.InRange(waits.Quantile(0.5)!.Value, 1.4, 1.6);
        var mail = Assert.Single(rows, r => r.Queue == "mail");
        Assert.Equal(("mail", 1L), (mail.WorkerGroup, mail.Counts.Total));
        Assert.Equal(4, mail.PickupSum, 6);
        // The early row (STARTED on mail-0) was taken back when its outcome replaced it.
        Assert.All(rows.Where(r => r.WorkerGroup == "mail" && r.Queue == "orders"), r => Assert.Equal(0, r.Counts.Total));
        Assert.Equal(["orders"], new RollupReader(options).GroupHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0), queue: "orders", group: "orders").Select(r => r.Queue).Distinct());
    }

    [Theory]
    [InlineData("celery@orders-worker-7f9c8d6b5-x2k4p", "orders-worker")]
    [InlineData("celery@posthog-worker-feature-flags-7c75fdbff6wzs7", "posthog-worker-feature-flags")]
    [InlineData("worker1@batch-long-running-3", "batch-long-running")]
    [InlineData("celery@ingest-capture", "ingest-capture")]
    [InlineData("celery@web.2", "web")]
    [InlineData("plainhost", "plainhost")]
    [InlineData("", "")]
    public void WorkerGroups_Default_StripsPodHashesOrdinalsAndNodePrefix(string worker, string group) =>
        Assert.Equal(group, WorkerGroups.Default.Of(worker));

    [Fact]
    public void WorkerGroups_Pattern_TakesItsFirstGroup_AndLeavesOthersAlone()
    {
        var groups = new WorkerGroups(@"@(\w+)-shard\d+$");

        Assert.Equal("billing", groups.Of("celery@billing-shard7"));
        Assert.Equal("celery@other", groups.Of("celery@other"));
    }

    [Fact]
    public void WriteBatch_RolledBack_LeavesRollupsAsTheyWere()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch([Finished("a", TaskStates.Success, At(2026, 11, 22, 10))]);

        // A record whose state is null violates NOT NULL: the whole batch rolls back, rollups included.
        Assert.ThrowsAny<Exception>(() => writer.WriteBatch([Finished("b", TaskStates.Success, At(2026, 11, 22, 10)), Finished("c", null!, At(2026, 11, 22, 10))]));

        var row = Assert.Single(new RollupReader(options).TaskHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0)));
        Assert.Equal(1, row.Total);
    }

    [Fact]
    public void Failures_AreGroupedByNameAndExceptionType_WithFirstLastAndNewestExample()
    {
        var options = Options();
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch(
        [
            Finished("f1", TaskStates.Failure, At(2026, 11, 22, 10, 1)),
            Finished("f2", TaskStates.Failure, At(2026, 11, 22, 10, 40)) with { Exception = "KeyError('sku')" },
            Finished("f3", TaskStates.Failure, At(2026, 11, 22, 10, 20)),
        ]);
        writer.WriteBatch([Finished("f4", TaskStates.Failure, At(2026, 11, 22, 10, 30))]);

        var rows = new RollupReader(options).FailureHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0));

        var value = Assert.Single(rows, r => r.ExceptionType == "ValueError");
        Assert.Equal((3L, At(2026, 11, 22, 10, 1), At(2026, 11, 22, 10, 30), "f4"), (value.Count, value.FirstSeen!.Value, value.LastSeen!.Value, value.ExampleTaskId));
        Assert.Equal(1, Assert.Single(rows, r => r.ExceptionType == "KeyError").Count);
    }

    [Fact]
    public void WriteBatch_MoreTaskNamesThanTheCap_CountsTheRestUnderOther()
    {
        var options = Options(maxNames: 10);
        using var writer = new InvocationWriter(options, _time);
        writer.WriteBatch([.. Enumerable.Range(0, 25).Select(i => Finished($"t{i}", TaskStates.Success, At(2026, 11, 22, 10), name: $"gen.task_{i}"))]);

        var rows = new RollupReader(options).TaskHours(At(2026, 11, 22, 0), At(2026, 11, 23, 0));

        Assert.Equal(11, rows.Count);
        Assert.Equal(25, rows.Sum(r => r.Total));
        Assert.Equal(15, Assert.Single(rows, r => r.Name == InvocationWriter.OverflowTaskName).Total);
        Assert.Equal(15, writer.RollupNamesOverflowed);
    }

    [Fact]
    public void Histogram_PercentilesOfManyHoursAdded_AreWithinTheBucketError()
    {
        var random = new Random(7);
        var all = new List<double>();
        var total = new RuntimeHistogram();
        for (var hour = 0; hour < 5; hour++)
        {
            var part = new RuntimeHistogram();
            for (var i = 0; i < 2000; i++)
            {
                var v = Math.Exp((random.NextDouble() * 8) - 5); // 7 ms to 20 s, log-uniform
                part.Add(v);
                all.Add(v);
            }

            // Through the stored encoding, as hours are read back and added.
            total.Add(RuntimeHistogram.Merge(null, part.Encode()));
        }

        all.Sort();
        foreach (var q in new[] { 0.5, 0.95, 0.99 })
        {
            var exact = all[(int)Math.Ceiling(q * all.Count) - 1];
            Assert.InRange(total.Quantile(q)!.Value, exact / 1.05, exact * 1.05);
        }
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(double.MaxValue)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e7)]
    public void Histogram_HugeRuntime_LandsInTheLastBucket_Issue12(double seconds)
    {
        // (int)Infinity + 1 wrapped to int.MinValue: an IndexOutOfRangeException inside the flush.
        Assert.Equal(RuntimeHistogram.BucketCount - 1, RuntimeHistogram.BucketOf(seconds));
        var h = new RuntimeHistogram();
        h.Add(seconds);
        Assert.Equal(1, h.Count);
    }

    [Fact]
    public void Histogram_TakingBackWhatWasAdded_LeavesItEmpty()
    {
        var h = new RuntimeHistogram();
        h.Add(0.25);
        h.Add(3.0);
        var back = new RuntimeHistogram();
        back.Add(0.25, -1);
        back.Add(3.0, -1);

        var merged = RuntimeHistogram.Merge(h.Encode(), back.Encode());

        Assert.Empty(merged);
        Assert.Null(new RuntimeHistogram().Quantile(0.5));
    }
}
