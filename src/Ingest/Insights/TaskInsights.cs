using Ingest.Storage.Rollups;

namespace Ingest.Insights;

/// <summary>
/// Answers "did it regress" and "what is failing" from the hourly rollups the flush loop writes: a few rows
/// per task and hour, never the invocation rows.
/// </summary>
public sealed class TaskInsights(RollupReader rollups, RegressionOptions options, TimeProvider time)
{
    public const double Hour = 3600;

    public RegressionOptions Options => options;

    /// <summary>The end of the current hour: windows are whole hours and the current one is included.</summary>
    public double CurrentHourEnd() => (Math.Floor(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 / Hour) * Hour) + Hour;

    /// <summary>Most buckets a series is cut into when the caller does not choose.</summary>
    public const int SeriesBuckets = 48;

    /// <summary>
    /// The whole hours a request covers: until rounded up (default the end of the current hour), since rounded down
    /// (default 24 hours before until). Rollups are hourly, so this is the window the figures are really over.
    /// </summary>
    public (double From, double To) Range(double? since, double? until)
    {
        var to = until is { } u ? Math.Ceiling(u / Hour) * Hour : CurrentHourEnd();
        var from = since is { } s ? Math.Floor(s / Hour) * Hour : to - (24 * Hour);
        return (from, to);
    }

    /// <summary>Whole hours per bucket so that [from, to) fits in <see cref="SeriesBuckets"/> buckets.</summary>
    public static int AutoBucketHours(double from, double to) => Math.Max(1, (int)Math.Ceiling((to - from) / Hour / SeriesBuckets));

    /// <summary>
    /// Every task name with runs in [from, to), with its figures over the window, its series in buckets of
    /// <paramref name="bucketHours"/>, and its regression verdict at <paramref name="to"/>. With a queue or worker
    /// group, counts come from the facet rollup (days written before it have none); the waits always do.
    /// </summary>
    public IReadOnlyList<TaskSummary> Tasks(double from, double to, int bucketHours, Facets facets)
    {
        var baselineStart = to - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        var unfaceted = rollups.TaskHours(Math.Min(from, baselineStart), to);
        var groups = rollups.GroupHours(from, to, null, facets.Queue, facets.WorkerGroup);
        var counts = facets.Any ? groups.Select(g => g.Counts).ToList() : unfaceted.Where(r => r.Hour >= from).ToList();
        var verdictRows = unfaceted.ToLookup(r => r.Name, StringComparer.Ordinal);
        var waitRows = groups.ToLookup(g => g.Counts.Name, StringComparer.Ordinal);
        return counts.GroupBy(r => r.Name, StringComparer.Ordinal)
            .Select(g =>
            {
                var rows = g.ToList();
                var waits = waitRows[g.Key].ToList();
                return new TaskSummary(
                    g.Key,
                    new Window(from, to, Sum(rows, waits, from, to)),
                    Series(rows, waits, from, to, bucketHours),
                    Verdict([.. verdictRows[g.Key]], to));
            })
            .Where(t => t.Range.Figures.Total != 0)
            .OrderByDescending(t => t.Range.Figures.Total)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One task's series in buckets of whole hours over [since, until), and its verdict at until.</summary>
    public TaskStats Stats(string name, double since, double until, int bucketHours, Facets? facets = null)
    {
        facets ??= Facets.None;
        var bucket = bucketHours * Hour;
        var from = Math.Floor(since / bucket) * bucket;
        var end = Math.Ceiling(until / Hour) * Hour;
        var baselineStart = end - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        var unfaceted = rollups.TaskHours(Math.Min(from, baselineStart), end, name);
        var groups = rollups.GroupHours(from, end, name, facets.Queue, facets.WorkerGroup);
        var counts = facets.Any ? groups.Select(g => g.Counts).ToList() : (IReadOnlyList<TaskHourRow>)unfaceted;
        return new TaskStats(name, bucketHours, Series(counts, groups, from, end, bucketHours), Verdict(unfaceted, end), unfaceted.Count > 0)
        {
            Queues = Breakdown(groups, g => g.Queue, from, end),
            WorkerGroups = Breakdown(groups, g => g.WorkerGroup, from, end),
        };
    }

    /// <summary>The range's figures per queue or worker group, from the facet rollup; most runs first.</summary>
    private static IReadOnlyList<(string Key, Window Figures)> Breakdown(IReadOnlyList<GroupHourRow> groups, Func<GroupHourRow, string> key, double from, double to) =>
        [.. groups.GroupBy(key, StringComparer.Ordinal)
            .Select(g =>
            {
                var rows = g.ToList();
                return (Key: g.Key, Figures: new Window(from, to, Sum([.. rows.Select(r => r.Counts)], rows, from, to)));
            })
            .Where(b => b.Figures.Figures.Total > 0)
            .OrderByDescending(b => b.Figures.Figures.Total)
            .ThenBy(b => b.Key, StringComparer.Ordinal)];

    private static List<Window> Series(IReadOnlyList<TaskHourRow> rows, IReadOnlyList<GroupHourRow> waits, double from, double to, int bucketHours)
    {
        var bucket = bucketHours * Hour;
        var series = new List<Window>();
        for (var at = from; at < to; at += bucket)
        {
            series.Add(new Window(at, Math.Min(at + bucket, to), Sum(rows, waits, at, Math.Min(at + bucket, to))));
        }

        return series;
    }

    /// <summary>Failures in [since, until) by task name and exception type, most frequent first.</summary>
    public IReadOnlyList<FailureGroup> Failures(double since, double until, string? name, Facets? facets = null)
    {
        var rows = facets is { Any: true }
            ? rollups.FailureHours(since, until, name, facets.Queue, facets.WorkerGroup)
            : rollups.FailureHours(since, until, name);
        return rows
            .GroupBy(r => (r.Name, r.ExceptionType))
            .Select(g =>
            {
                var newest = g.Where(r => r.LastSeen is not null).MaxBy(r => r.LastSeen);
                return new FailureGroup(
                    g.Key.Name, g.Key.ExceptionType, g.Sum(r => r.Count),
                    g.Min(r => r.FirstSeen), g.Max(r => r.LastSeen), newest?.ExampleTaskId);
            })
            .Where(f => f.Count > 0)
            .OrderByDescending(f => f.Count)
            .ThenByDescending(f => f.LastSeen)
            .ToList();
    }

    private RegressionVerdict Verdict(IReadOnlyList<TaskHourRow> rows, double end)
    {
        var recentStart = end - options.Recent.TotalSeconds;
        var baselineStart = recentStart - options.Baseline.TotalSeconds;
        return RegressionCheck.Evaluate(
            new Window(recentStart, end, Sum(rows, recentStart, end)),
            new Window(baselineStart, recentStart, Sum(rows, baselineStart, recentStart)),
            options);
    }

    private static TaskFigures Sum(IReadOnlyList<TaskHourRow> rows, double from, double to) => Sum(rows, [], from, to);

    private static TaskFigures Sum(IReadOnlyList<TaskHourRow> rows, IReadOnlyList<GroupHourRow> waits, double from, double to)
    {
        var figures = new TaskFigures();
        foreach (var row in rows)
        {
            if (row.Hour >= from && row.Hour < to)
            {
                figures.Add(row);
            }
        }

        foreach (var row in waits)
        {
            if (row.Counts.Hour >= from && row.Counts.Hour < to)
            {
                figures.AddWaits(row);
            }
        }

        return figures;
    }
}
