using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Rollups;

/// <summary>Issue 24: rankings added up by SQLite, a page at a time, in an order that pages never repeat or skip.</summary>
public sealed class RollupRankReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly double _from = At(2026, 11, 22, 0);
    private readonly double _to = At(2026, 11, 23, 0);

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options(int maxNames = 10_000) => new() { DatabasePath = _dir.File("r.db"), MaxTaskNamesPerDay = maxNames };

    /// <summary>Task k (of <paramref name="names"/>) runs 1 + k / 2 times, so pairs tie; every run at 10:00 plus a minute each.</summary>
    private void WriteTasks(StorageOptions options, int names, Func<int, InvocationRecord, InvocationRecord>? shape = null)
    {
        using var writer = new InvocationWriter(options, _time);
        var runs = new List<InvocationRecord>();
        for (var k = 0; k < names; k++)
        {
            for (var r = 0; r <= k / 2; r++)
            {
                var run = Finished($"k{k:D2}-r{r:D2}", TaskStates.Success, At(2026, 11, 22, 10, r % 60), name: $"task.{k:D2}");
                runs.Add(shape is null ? run : shape(k, run));
            }
        }

        writer.WriteBatch(runs);
    }

    [Fact]
    public void TopTasks_PagedByCursor_EveryNameOnce_MostRunsFirstThenByName_Issue24()
    {
        var options = Options();
        WriteTasks(options, 25);
        var ranks = new RollupRankReader(options);
        var want = Enumerable.Range(0, 25).Select(k => (Name: $"task.{k:D2}", Runs: 1L + (k / 2))).OrderByDescending(t => t.Runs).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();

        var seen = new List<(string, long)>();
        RankCursor? after = null;
        RankedPage<RankedName> page;
        do
        {
            page = ranks.TopTasks(_from, _to, null, null, 4, after);
            Assert.Equal(25, page.Total);
            seen.AddRange(page.Items.Select(i => (i.Name, i.Runs)));
            after = page.Items.Count == 0 ? null : new RankCursor(RankCursor.Tasks, page.Items[^1].Runs, 0, page.Items[^1].Name, "");
        }
        while (page.HasMore);

        Assert.Equal(want, seen);
    }

    /// <summary>A day past its name cap keeps the rest under "(other)": one entry, ranked by all their runs.</summary>
    [Fact]
    public void TopTasks_PastTheDaysNameCap_TheRestAreOneEntry()
    {
        var options = Options(maxNames: 10);
        WriteTasks(options, 25);

        var page = new RollupRankReader(options).TopTasks(_from, _to, null, null, 1000);

        Assert.Equal(11, page.Total);
        Assert.False(page.HasMore);
        var other = Assert.Single(page.Items, i => i.Name == InvocationWriter.OverflowTaskName);
        Assert.Equal(Enumerable.Range(10, 15).Sum(k => 1L + (k / 2)), other.Runs);
        Assert.Equal(other, page.Items[0]);
    }

    [Fact]
    public void TopTasks_ByQueue_RanksTheFacetRollupsRuns_AndTopQueuesRanksTheQueues()
    {
        var options = Options();
        WriteTasks(options, 6, (k, run) => run with { Queue = k % 2 == 0 ? "even" : "odd", Worker = "celery@mail-0" });
        var ranks = new RollupRankReader(options);

        var odd = ranks.TopTasks(_from, _to, "odd", null, 10);
        var queues = ranks.TopQueues(_from, _to, 1);

        Assert.Equal([("task.05", 3L), ("task.03", 2L), ("task.01", 1L)], odd.Items.Select(i => (i.Name, i.Runs)));
        Assert.Equal(3, odd.Total);
        // Six runs each: the tie goes by name.
        Assert.Equal([new RankedName("even", 6)], queues.Items);
        Assert.Equal((2L, true), (queues.Total, queues.HasMore));
        Assert.Equal([new RankedName("mail", 12)], ranks.TopWorkerGroups(_from, _to, 5).Items);
    }

    /// <summary>The facets' names leave out runs without a task name, as they did when read from the rows; the task list keeps them.</summary>
    [Fact]
    public void TopNames_LeavesOutRunsWithoutAName_TopTasksKeepsThem()
    {
        var options = Options();
        WriteTasks(options, 3, (k, run) => k == 2 ? run with { Name = null } : run);
        var ranks = new RollupRankReader(options);

        Assert.Equal(["task.00", "task.01"], ranks.TopNames(_from, _to, 10).Items.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, ranks.TopNames(_from, _to, 10).Total);
        Assert.Equal(("", 2L), ranks.TopTasks(_from, _to, null, null, 10).Items.Select(i => (i.Name, i.Runs)).First());
    }

    /// <summary>Failures by task and exception type: the most first, then the most recently seen; the example from the newest hour.</summary>
    [Fact]
    public void Failures_AddedUpAcrossHours_PagedByCursor_WithTheNewestExample_Issue24()
    {
        var options = Options();
        using (var writer = new InvocationWriter(options, _time))
        {
            InvocationRecord Failed(string id, string name, string exception, int hour) =>
                Finished(id, TaskStates.Failure, At(2026, 11, 22, hour, 30), name: name) with { Exception = exception };
            writer.WriteBatch(
            [
                Failed("a1", "a", "ValueError('x')", 9), Failed("a2", "a", "ValueError('x')", 11), Failed("a3", "a", "KeyError('k')", 10),
                Failed("b1", "b", "ValueError('x')", 8), Failed("b2", "b", "ValueError('x')", 9),
                Failed("c1", "c", "TypeError('t')", 11),
            ]);
        }

        var ranks = new RollupRankReader(options);
        var all = ranks.Failures(_from, _to, null, null, null, 100);
        var paged = new List<FailureTotal>();
        RankCursor? after = null;
        RankedPage<FailureTotal> page;
        do
        {
            page = ranks.Failures(_from, _to, null, null, null, 1, after);
            paged.AddRange(page.Items);
            after = page.Items is [.., var f] ? new RankCursor(RankCursor.Failures, f.Count, f.LastSeen ?? -1, f.Name, f.ExceptionType) : null;
        }
        while (page.HasMore);

        Assert.Equal([("a", "ValueError", 2L), ("b", "ValueError", 2L), ("c", "TypeError", 1L), ("a", "KeyError", 1L)], all.Items.Select(f => (f.Name, f.ExceptionType, f.Count)));
        Assert.Equal(4, all.Total);
        Assert.Equal(all.Items, paged);
        var a = all.Items[0];
        Assert.Equal(("a2", At(2026, 11, 22, 9, 30), At(2026, 11, 22, 11, 30)), (a.ExampleTaskId, a.FirstSeen!.Value, a.LastSeen!.Value));
        Assert.Equal("b2", all.Items[1].ExampleTaskId);
        Assert.Equal([("a", "ValueError")], ranks.Failures(_from, _to, "a", null, null, 1).Items.Select(f => (f.Name, f.ExceptionType)));
    }
}
