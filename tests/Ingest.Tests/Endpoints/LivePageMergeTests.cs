using Ingest.Endpoints;
using Ingest.Storage;
using Ingest.Storage.Reading;

namespace Ingest.Tests.Endpoints;

public class LivePageMergeTests
{
    private static InvocationRecord Run(string id, double at, string state = TaskStates.Success) => new() { TaskId = id, State = state, StateAt = at };

    /// <summary>Pages the merge over two sources as the endpoint reads them: the stored rows and the tracker's, each after the cursor.</summary>
    private static List<(string Id, bool InFlight)> PageThrough(IReadOnlyList<InvocationRecord> stored, IReadOnlyList<InvocationRecord> tracked, int limit)
    {
        static IEnumerable<InvocationRecord> NewestFirst(IEnumerable<InvocationRecord> rows, PageCursor? after) => rows
            .Where(r => after is null || Ingest.Tracking.InFlightFilter.IsAfter(r.StateAt, r.TaskId, after))
            .OrderByDescending(r => r.StateAt).ThenByDescending(r => r.TaskId, StringComparer.Ordinal);

        var trackedIds = tracked.Select(r => r.TaskId).ToHashSet(StringComparer.Ordinal);
        var seen = new List<(string, bool)>();
        PageCursor? cursor = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var rows = NewestFirst(stored, cursor).Take(limit + 1).ToList();
            var page = new InvocationPage(rows.Take(limit).ToList(), rows.Count > limit ? LivePageMerge.CursorAt(rows[limit - 1]) : null);
            var live = NewestFirst(tracked, cursor).Take(limit + 1).ToList();
            var (merged, next) = LivePageMerge.Merge(page, live, page.Items.Select(r => r.TaskId).Where(trackedIds.Contains).ToHashSet(), limit);
            Assert.True(merged.Count <= limit);
            seen.AddRange(merged.Select(r => (r.Record.TaskId, r.InFlight)));
            if (next is null)
            {
                return seen;
            }

            cursor = next;
        }

        throw new InvalidOperationException("paging did not end");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(50)]
    public void Merge_StoredEarlyAndTracked_EveryRunOnceAcrossPages_TrackedStateWins_Issue25(int limit)
    {
        var random = new Random(25);
        var stored = new List<InvocationRecord>();
        var tracked = new List<InvocationRecord>();
        for (var i = 0; i < 60; i++)
        {
            var id = $"t{i:D3}";
            var at = 1000 + random.Next(0, 40); // ties on the state time are common: the task id breaks them
            switch (i % 3)
            {
                case 0:
                    stored.Add(Run(id, at));
                    break;
                case 1:
                    tracked.Add(Run(id, at, TaskStates.Started));
                    break;
                default:
                    // Written early (or kept over a restart) at an older state, and tracked since: two places in the order.
                    stored.Add(Run(id, at - random.Next(0, 30), TaskStates.Received));
                    tracked.Add(Run(id, at + random.Next(0, 30), TaskStates.Started));
                    break;
            }
        }

        var seen = PageThrough(stored, tracked, limit);

        Assert.Equal(60, seen.Count);
        Assert.Equal(60, seen.Select(s => s.Id).Distinct().Count());
        Assert.All(seen.Where(s => tracked.Any(t => t.TaskId == s.Id)), s => Assert.True(s.InFlight, $"{s.Id} is shown from the tracker"));
    }

    [Fact]
    public void Merge_StoredPageEndsEarly_TrackedRunsPastItsEndWaitForTheNextPage_Issue25()
    {
        // The stored page stopped at t=50 (its text budget, or its limit): a tracked run at t=10 belongs after it.
        var stored = new InvocationPage([Run("s1", 60), Run("s2", 50)], new PageCursor(50, "s2"));
        var (rows, next) = LivePageMerge.Merge(stored, [Run("late", 10, TaskStates.Started), Run("early", 55, TaskStates.Started)], new HashSet<string>(), 10);

        Assert.Equal(["s1", "early", "s2"], rows.Select(r => r.Record.TaskId));
        Assert.Equal(new PageCursor(50, "s2"), next);
    }
}
