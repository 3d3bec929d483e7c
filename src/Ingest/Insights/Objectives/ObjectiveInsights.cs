using Ingest.Storage.Rollups;

namespace Ingest.Insights.Objectives;

/// <summary>
/// Each task with an objective, with its error budget left and its burn rate, from the hourly rollups the console
/// already reads: success rate from the succeeded and failed counts, runtime latency from the runtime histograms,
/// queue-wait latency from the facet rollup's. Hours are whole, so a window of 28 days is its 672 hours.
/// </summary>
public sealed class ObjectiveInsights(ObjectiveSet objectives, IRollupStore rollups, IRollupRanks ranks)
{
    /// <summary>Task names considered, the busiest over the longest window first: the API's page cap.</summary>
    public const int MaxTasks = 1000;

    public ObjectiveSet Objectives => objectives;

    /// <summary>
    /// Every task with runs in its objective's window (ending at <paramref name="to"/>) that an objective covers, its
    /// SLIs counted over [<paramref name="from"/>, <paramref name="to"/>) and over the window; fastest burning first.
    /// </summary>
    public IReadOnlyList<TaskBudget> Budgets(double from, double to)
    {
        if (objectives.Objectives.Count == 0)
        {
            return [];
        }

        var earliest = to - objectives.Objectives.Max(o => o.Window.TotalSeconds);
        var covered = ranks.TopTasks(earliest, to, null, null, MaxTasks).Items
            .Select(r => (Name: r.Name, Objective: objectives.Match(r.Name)))
            .Where(t => t.Objective is not null)
            .ToList();
        var budgets = new List<TaskBudget>();
        var start = Math.Min(from, earliest);
        foreach (var chunk in covered.Chunk(TaskInsights.SummaryChunk))
        {
            var names = chunk.Select(t => t.Name).ToList();
            var hours = rollups.TaskHoursOf(start, to, names).ToLookup(r => r.Name, StringComparer.Ordinal);
            var waiting = chunk.Where(t => t.Objective!.Latency is { QueueWait: true }).Select(t => t.Name).ToList();
            var waits = rollups.GroupHoursOf(start, to, waiting).ToLookup(r => r.Counts.Name, StringComparer.Ordinal);
            foreach (var (name, objective) in chunk)
            {
                var windowStart = to - objective!.Window.TotalSeconds;
                var slis = objective.Targets().Select(t => t.Sli == TaskObjective.SuccessSli
                    ? Count(t.Sli, t.Target, hours[name].Select(r => (r.Hour, r.Count(Storage.TaskStates.Success), r.Count(Storage.TaskStates.Failure))), from, to, windowStart)
                    : objective.Latency!.QueueWait
                        ? Count(t.Sli, t.Target, waits[name].Select(r => Split(r.Counts.Hour, r.QueueWaits, objective.Latency.Seconds)), from, to, windowStart)
                        : Count(t.Sli, t.Target, hours[name].Select(r => Split(r.Hour, r.Runtimes, objective.Latency.Seconds)), from, to, windowStart));
                budgets.Add(new TaskBudget(name, objective, [.. slis]));
            }
        }

        return [.. budgets.OrderByDescending(b => b.BurnRate ?? double.MinValue).ThenBy(b => b.Task, StringComparer.Ordinal)];
    }

    /// <summary>An hour's runs within a latency threshold (good) and over it (bad), from its histogram.</summary>
    private static (long Hour, long Good, long Bad) Split(long hour, byte[]? histogram, double seconds)
    {
        var h = new RuntimeHistogram();
        h.Add(histogram);
        var bad = h.CountAbove(seconds);
        return (hour, h.Count - bad, bad);
    }

    private static SliBudget Count(string sli, double target, IEnumerable<(long Hour, long Good, long Bad)> hours, double from, double to, double windowStart)
    {
        long rangeGood = 0, rangeBad = 0, windowGood = 0, windowBad = 0;
        foreach (var (hour, good, bad) in hours)
        {
            if (hour >= from && hour < to)
            {
                rangeGood += good;
                rangeBad += bad;
            }

            if (hour >= windowStart && hour < to)
            {
                windowGood += good;
                windowBad += bad;
            }
        }

        return new SliBudget(sli, target, rangeGood, rangeBad, windowGood, windowBad);
    }
}
