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
}
