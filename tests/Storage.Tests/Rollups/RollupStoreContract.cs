using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Rollups;

/// <summary>
/// What every store answers the same from its rollups (issue 26): the figures of the Tasks, task, Failures and Queues
/// pages and of the facets, objectives and regression routes. One suite, run unchanged against SQLite and ClickHouse
/// by a subclass each, which only says how a batch is written and which readers read it.
/// </summary>
public abstract class RollupStoreContract : IDisposable
{
    /// <summary>The writers' clock: noon of the contract's day, so runs of the morning are within the minute rollup's 48 hours.</summary>
    protected static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    private static readonly double s_from = At(2026, 11, 22, 0);
    private static readonly double s_to = At(2026, 11, 23, 0);

    /// <summary>The rollup reader under test.</summary>
    protected abstract IRollupStore Rollups { get; }

    /// <summary>The rankings under test.</summary>
    protected abstract IRollupRanks Ranks { get; }

    /// <summary>Writes one batch as the flush loop would: a later call is a later batch.</summary>
    protected abstract void Write(params InvocationRecord[] batch);

    /// <summary>Writes broker queue samples.</summary>
    protected abstract void WriteSamples(params QueueSample[] samples);

    public abstract void Dispose();

    [Fact]
    public void TaskHours_EachTaskOnceByFinalStatePerNameAndHour_ARetryReplacedByItsOutcomeOnce_Issue26()
    {
        Write(
            Finished("a1", TaskStates.Success, At(2026, 11, 22, 10, 5)),
            Finished("a2", TaskStates.Failure, At(2026, 11, 22, 10, 59)),
            Finished("a3", TaskStates.Success, At(2026, 11, 22, 11, 0)),
            Finished("b1", TaskStates.Success, At(2026, 11, 22, 10, 30), name: "mail.send"));
        Write(Finished("a4", TaskStates.Retry, At(2026, 11, 22, 10, 10)) with { FinishedAt = null, RuntimeSeconds = null });
        Write(Finished("a4", TaskStates.Success, At(2026, 11, 22, 10, 12)));

        var rows = Rollups.TaskHours(s_from, s_to);

        var ten = Sum(rows.Where(r => r.Name == "shop.process_order" && r.Hour == (long)At(2026, 11, 22, 10)));
        Assert.Equal((3L, 2L, 1L, 0L, 3L), (ten.Total, ten.Success, ten.Failure, ten.Retry, ten.RuntimeCount));
        Assert.Equal(1, Sum(rows.Where(r => r.Name == "shop.process_order" && r.Hour == (long)At(2026, 11, 22, 11))).Total);
        Assert.Equal(1, Sum(rows.Where(r => r.Name == "mail.send")).Success);
        Assert.Equal(1, Sum(Rollups.TaskHours(s_from, s_to, "mail.send")).Total);
        Assert.Equal(5, Sum(Rollups.TaskHoursOf(s_from, s_to, ["shop.process_order", "mail.send", "no.such"])).Total);
        Assert.Empty(Rollups.TaskHoursOf(s_from, s_to, []));
    }

    [Fact]
    public void TaskHours_RuntimeHistogramsOfSeveralBatches_AddUpToTheSamePercentiles_Issue26()
    {
        for (var b = 0; b < 5; b++)
        {
            Write([.. Enumerable.Range(0, 20).Select(i => Finished($"h{b}-{i}", TaskStates.Success, At(2026, 11, 22, 10, i)) with { RuntimeSeconds = 0.1 * (1 + i + (20 * b)) })]);
        }

        var histogram = new RuntimeHistogram();
        foreach (var row in Rollups.TaskHours(s_from, s_to))
        {
            histogram.Add(row.Runtimes);
        }

        Assert.Equal(100, histogram.Count);
        Assert.InRange(histogram.Quantile(0.5)!.Value, 4.9, 5.2);
        Assert.InRange(histogram.Quantile(0.95)!.Value, 9.2, 9.8);
    }

    [Fact]
    public void TaskHours_TaskWrittenEarlyOnOneDayAndFinishedTheNext_CountsOnceInItsFinalState_Issue26()
    {
        var received = At(2026, 11, 21, 23, 59);
        Write(Finished("late", TaskStates.Started, received) with { FinishedAt = null, ReceivedAt = received, RuntimeSeconds = null });
        Write(Finished("late", TaskStates.Success, At(2026, 11, 22, 0, 1)) with { ReceivedAt = received });

        var all = Sum(Rollups.TaskHours(At(2026, 11, 21, 0), s_to));

        Assert.Equal((1L, 1L, 0L), (all.Total, all.Success, all.Started));
    }

    [Fact]
    public void GroupHours_ByQueueAndWorkerGroup_WithBothWaits_AnEarlyRowMovesToItsFinalWorker_Issue26()
    {
        InvocationRecord Run(string id, string worker, string queue, double queued, double pickup, string state = TaskStates.Success)
        {
            var sent = At(2026, 11, 22, 10, 5);
            return Finished(id, state, sent + queued + pickup + 1) with
            {
                Worker = worker, Queue = queue, SentAt = sent, ReceivedAt = sent + queued, StartedAt = sent + queued + pickup, RuntimeSeconds = 1,
            };
        }

        Write(
            Run("a1", "celery@orders-7f9c8d6b5-x2k4p", "orders", 0.5, 0.01),
            Run("a2", "celery@orders-7f9c8d6b5-q8w2z", "orders", 1.5, 0.02),
            Run("a3", "celery@orders-7f9c8d6b5-q8w2z", "orders", 2.5, 0.03, TaskStates.Failure),
            Run("b1", "celery@mail-0", "mail", 30, 4));
        Write(Run("a4", "celery@mail-0", "orders", 3, 0.04, TaskStates.Started) with { FinishedAt = null, RuntimeSeconds = null });
        Write(Run("a4", "celery@orders-7f9c8d6b5-x2k4p", "orders", 3.5, 0.04));

        var rows = Rollups.GroupHours(s_from, s_to);

        var orders = rows.Where(r => r.Queue == "orders" && r.WorkerGroup == "orders").ToList();
        Assert.Equal((4L, 3L, 1L), (Sum(orders.Select(r => r.Counts)).Total, Sum(orders.Select(r => r.Counts)).Success, Sum(orders.Select(r => r.Counts)).Failure));
        Assert.Equal(4, orders.Sum(r => r.QueueWaitCount));
        Assert.Equal(0.5 + 1.5 + 2.5 + 3.5, orders.Sum(r => r.QueueWaitSum), 6);
        var waits = new RuntimeHistogram();
        orders.ForEach(r => waits.Add(r.QueueWaits));
        Assert.InRange(waits.Quantile(0.5)!.Value, 1.4, 1.6);
        Assert.Equal(4, rows.Where(r => r.Queue == "mail").Sum(r => r.PickupSum), 6);
        Assert.Equal(0, rows.Where(r => r.WorkerGroup == "mail" && r.Queue == "orders").Sum(r => r.Counts.Total));
        Assert.Equal(4, Rollups.GroupHours(s_from, s_to, queue: "orders", group: "orders").Sum(r => r.Counts.Total));
        Assert.Equal(1, Rollups.GroupHoursOf(s_from, s_to, ["shop.process_order"], queue: "mail").Sum(r => r.Counts.Total));
    }

    [Fact]
    public void FailureHours_ByNameAndType_WithFirstLastAndNewestExample_AndByFacetFollowTheFinalState_Issue26()
    {
        Write(
            Finished("f1", TaskStates.Failure, At(2026, 11, 22, 10, 1)) with { Queue = "orders", Worker = "celery@orders-7f9c8d6b5-x2k4p" },
            Finished("f2", TaskStates.Failure, At(2026, 11, 22, 10, 40)) with { Exception = "KeyError('sku')", Queue = "orders" },
            Finished("f3", TaskStates.Failure, At(2026, 11, 22, 10, 20)) with { Queue = "mail", Worker = "celery@mail-0" });
        Write(Finished("f4", TaskStates.Failure, At(2026, 11, 22, 10, 30)) with { Queue = "orders" });
        // A failure written again as a success leaves no failure behind.
        Write(Finished("f2", TaskStates.Success, At(2026, 11, 22, 10, 45)) with { Queue = "orders" });

        var rows = Rollups.FailureHours(s_from, s_to);

        var value = Assert.Single(rows, r => r.ExceptionType == "ValueError");
        Assert.Equal((3L, At(2026, 11, 22, 10, 1), At(2026, 11, 22, 10, 30), "f4"), (value.Count, value.FirstSeen!.Value, value.LastSeen!.Value, value.ExampleTaskId));
        Assert.DoesNotContain(rows, r => r.ExceptionType == "KeyError");
        Assert.Equal(2, Rollups.FailureHours(s_from, s_to, null, "orders", null).Sum(r => r.Count));
        Assert.Equal(1, Rollups.FailureHours(s_from, s_to, null, "mail", "mail").Sum(r => r.Count));
        Assert.Equal(0, Rollups.FailureHours(s_from, s_to, "mail.send").Sum(r => r.Count));
    }

    [Fact]
    public void TopTasks_PagedByCursor_EveryNameOnce_MostRunsFirstThenByName_Issue26()
    {
        var runs = new List<InvocationRecord>();
        for (var k = 0; k < 25; k++)
        {
            for (var r = 0; r <= k / 2; r++)
            {
                runs.Add(Finished($"k{k:D2}-r{r:D2}", TaskStates.Success, At(2026, 11, 22, 10, r % 60), name: $"task.{k:D2}") with { Queue = $"q{k % 3}" });
            }
        }

        Write([.. runs]);
        var want = Enumerable.Range(0, 25).Select(k => (Name: $"task.{k:D2}", Runs: 1L + (k / 2))).OrderByDescending(t => t.Runs).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();

        var seen = new List<(string, long)>();
        RankCursor? after = null;
        RankedPage<RankedName> page;
        do
        {
            page = Ranks.TopTasks(s_from, s_to, null, null, 4, after);
            Assert.Equal(25, page.Total);
            seen.AddRange(page.Items.Select(i => (i.Name, i.Runs)));
            after = page.Items.Count == 0 ? null : new RankCursor(RankCursor.Tasks, page.Items[^1].Runs, 0, page.Items[^1].Name, "");
        }
        while (page.HasMore);

        Assert.Equal(want, seen);
        Assert.Equal(want.Take(3), Ranks.TopTasksByMinute(s_from, s_to, null, null, 3).Items.Select(i => (i.Name, i.Runs)));
        Assert.Equal(runs.Count(r => r.Queue == "q1"), Ranks.TopTasks(s_from, s_to, "q1", null, 100).Items.Sum(i => i.Runs));
        Assert.Equal(["q0", "q1", "q2"], Ranks.TopQueues(s_from, s_to, 10).Items.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(runs.Count, Ranks.TopWorkerGroups(s_from, s_to, 10).Items.Sum(i => i.Runs));
    }

    [Fact]
    public void TopNames_LeavesOutRunsWithoutAName_TopTasksKeepsThem_Issue26()
    {
        Write(Finished("n1", TaskStates.Success, At(2026, 11, 22, 10)), Finished("x1", TaskStates.Success, At(2026, 11, 22, 10), name: null), Finished("x2", TaskStates.Success, At(2026, 11, 22, 10), name: null));

        Assert.Equal([("shop.process_order", 1L)], Ranks.TopNames(s_from, s_to, 10).Items.Select(i => (i.Name, i.Runs)));
        Assert.Equal(("", 2L), Ranks.TopTasks(s_from, s_to, null, null, 10).Items.Select(i => (i.Name, i.Runs)).First());
    }

    [Fact]
    public void Failures_AddedUpAcrossHours_PagedByCursor_WithTheNewestExample_Issue26()
    {
        InvocationRecord Failed(string id, string name, string exception, int hour) =>
            Finished(id, TaskStates.Failure, At(2026, 11, 22, hour, 30), name: name) with { Exception = exception };
        Write(
            Failed("a1", "a", "ValueError('x')", 9), Failed("a2", "a", "ValueError('x')", 11), Failed("a3", "a", "KeyError('k')", 10),
            Failed("b1", "b", "ValueError('x')", 8), Failed("b2", "b", "ValueError('x')", 9),
            Failed("c1", "c", "TypeError('t')", 11));

        var all = Ranks.Failures(s_from, s_to, null, null, null, 100);
        var paged = new List<FailureTotal>();
        RankCursor? after = null;
        RankedPage<FailureTotal> page;
        do
        {
            page = Ranks.Failures(s_from, s_to, null, null, null, 1, after);
            paged.AddRange(page.Items);
            after = page.Items is [.., var f] ? new RankCursor(RankCursor.Failures, f.Count, f.LastSeen ?? -1, f.Name, f.ExceptionType) : null;
        }
        while (page.HasMore);

        Assert.Equal([("a", "ValueError", 2L), ("b", "ValueError", 2L), ("c", "TypeError", 1L), ("a", "KeyError", 1L)], all.Items.Select(f => (f.Name, f.ExceptionType, f.Count)));
        Assert.Equal(4, all.Total);
        Assert.Equal(all.Items, paged);
        Assert.Equal(("a2", At(2026, 11, 22, 9, 30), At(2026, 11, 22, 11, 30)), (all.Items[0].ExampleTaskId, all.Items[0].FirstSeen!.Value, all.Items[0].LastSeen!.Value));
        Assert.Equal(2, Ranks.Failures(s_from, s_to, "b", null, null, 10).Items.Single().Count);
    }

    [Fact]
    public void GroupMinutes_RecentRunsPerMinuteBesideTheirHour_OldRunsInTheirHourOnly_Issue26()
    {
        Write(
            Finished("a1", TaskStates.Success, At(2026, 11, 22, 11, 14, 5)) with { Queue = "orders" },
            Finished("a2", TaskStates.Failure, At(2026, 11, 22, 11, 14, 50)) with { Queue = "orders" },
            Finished("a3", TaskStates.Success, At(2026, 11, 22, 11, 15, 1)) with { Queue = "orders" });
        Write(Finished("a4", TaskStates.Retry, At(2026, 11, 22, 11, 16)) with { FinishedAt = null, RuntimeSeconds = null });
        Write(Finished("a4", TaskStates.Success, At(2026, 11, 22, 11, 17, 30)));
        Write(Finished("old", TaskStates.Success, At(2026, 11, 20, 10, 5)));

        var minutes = Rollups.GroupMinutes(At(2026, 11, 22, 11, 0), At(2026, 11, 22, 12, 0));

        var at14 = minutes.Where(m => m.Counts.Hour == (long)At(2026, 11, 22, 11, 14)).ToList();
        Assert.Equal((2L, 1L, 1L), (Sum(at14.Select(m => m.Counts)).Total, Sum(at14.Select(m => m.Counts)).Success, Sum(at14.Select(m => m.Counts)).Failure));
        Assert.Equal(0, minutes.Where(m => m.Counts.Hour == (long)At(2026, 11, 22, 11, 16)).Sum(m => m.Counts.Total));
        Assert.Equal(4, minutes.Sum(m => m.Counts.Total));
        Assert.Equal(3, Rollups.GroupMinutesOf(At(2026, 11, 22, 11, 0), At(2026, 11, 22, 12, 0), ["shop.process_order"], queue: "orders").Sum(m => m.Counts.Total));
        Assert.True(Rollups.MinutesComplete(At(2026, 11, 22, 11, 0), At(2026, 11, 22, 12, 0)));
        Assert.Empty(Rollups.GroupMinutes(At(2026, 11, 20, 0), At(2026, 11, 21, 0)));
        Assert.False(Rollups.MinutesComplete(At(2026, 11, 20, 10), At(2026, 11, 20, 11)));
        Assert.True(Rollups.MinutesComplete(At(2026, 11, 19, 10), At(2026, 11, 19, 11)));
    }

    [Fact]
    public void QueueLengths_BucketsReadingsPerQueue_WithLargestMeanAndLastConsumers_Issue26()
    {
        var t = (long)At(2026, 11, 22, 10, 0);
        WriteSamples(
            new("orders", t, 10, 2), new("orders", t + 15, 50, 2), new("orders", t + 30, 20, 3), new("orders", t + 45, 40, 1),
            new("orders", t + 60, 5, 4), new("mail", t + 15, 7, null));

        var points = Rollups.QueueLengths(t, t + 120, 60);

        Assert.Equal(
            [("mail", t, 7L, 7.0, (int?)null, 1), ("orders", t, 50L, 30.0, (int?)1, 4), ("orders", t + 60, 5L, 5.0, (int?)4, 1)],
            points.Select(p => (p.Queue, p.Bucket, p.Max, p.Mean, p.Consumers, p.Samples)));
        Assert.Equal(["orders", "orders"], Rollups.QueueLengths(t, t + 120, 60, "orders").Select(p => p.Queue));
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("a\\' OR 1=1 --")]
    [InlineData("x'); DROP TABLE group_hours; --")]
    [InlineData("\u00e9\u0000\n\t\"\u2028")]
    public void EveryFilterAndCursor_HostileNames_AreValuesNeverSql_Issue26(string hostile)
    {
        Write(
            Finished("h1", TaskStates.Failure, At(2026, 11, 22, 10), name: hostile) with { Queue = hostile, Worker = "w@" + hostile },
            Finished("h2", TaskStates.Success, At(2026, 11, 22, 10), name: "plain"));

        Assert.Equal(1, Sum(Rollups.TaskHours(s_from, s_to, hostile)).Total);
        Assert.Equal(1, Sum(Rollups.TaskHoursOf(s_from, s_to, [hostile])).Total);
        Assert.Equal(1, Rollups.GroupHours(s_from, s_to, hostile, hostile).Sum(r => r.Counts.Total));
        Assert.Equal(1, Rollups.GroupMinutes(s_from, s_to, queue: hostile).Sum(r => r.Counts.Total));
        Assert.Equal(1, Rollups.FailureHours(s_from, s_to, hostile, hostile, null).Sum(r => r.Count));
        Assert.Equal([hostile], Ranks.TopTasks(s_from, s_to, hostile, null, 10).Items.Select(i => i.Name));
        var cursor = new RankCursor(RankCursor.Tasks, 1, 0, hostile, "");
        Assert.Equal(string.CompareOrdinal("plain", hostile) > 0 ? ["plain"] : [], Ranks.TopTasks(s_from, s_to, null, null, 10, cursor).Items.Select(i => i.Name));
        Assert.Equal([hostile], Ranks.Failures(s_from, s_to, hostile, hostile, null, 10, new RankCursor(RankCursor.Failures, 2, 0, hostile, hostile)).Items.Select(f => f.Name));
        Assert.Equal(2, Sum(Rollups.TaskHours(s_from, s_to)).Total);
    }

    /// <summary>Rows of one key added up: a store may return a key in several rows, and every caller adds them up.</summary>
    private static (long Total, long Success, long Failure, long Retry, long Started, long RuntimeCount) Sum(IEnumerable<TaskHourRow> rows)
    {
        var list = rows.ToList();
        return (list.Sum(r => r.Total), list.Sum(r => r.Count(TaskStates.Success)), list.Sum(r => r.Count(TaskStates.Failure)),
            list.Sum(r => r.Count(TaskStates.Retry)), list.Sum(r => r.Count(TaskStates.Started)), list.Sum(r => r.RuntimeCount));
    }
}
