using Ingest.Insights.Objectives;
using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;

namespace Ingest.Insights;

/// <summary>
/// Answers "did it regress" and "what is failing" from the hourly rollups the flush loop writes: a few rows
/// per task and hour, never the invocation rows. A task an objective covers is judged by it (see <see cref="RegressionCheck"/>).
/// </summary>
public sealed class TaskInsights(RollupReader rollups, RollupRankReader ranks, RegressionOptions options, TimeProvider time, ObjectiveSet objectives)
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

    /// <summary>Task names summarized per read of the rollups: a page's rows are read a hundred tasks at a time.</summary>
    public const int SummaryChunk = 100;

    /// <summary>
    /// A page of the task names with runs in [from, to), most runs first, then by name, after <paramref name="after"/>.
    /// With a queue or worker group, runs come from the facet rollup (days written before it have none).
    /// </summary>
    public RankedPage<RankedName> RankTasks(double from, double to, Facets facets, int limit, RankCursor? after) =>
        ranks.TopTasks(from, to, facets.Queue, facets.WorkerGroup, limit, after);

    /// <summary>
    /// Each of <paramref name="names"/>, in that order, with its figures over [from, to), its series in buckets of
    /// <paramref name="bucketHours"/>, and its regression verdict at <paramref name="to"/>. With a queue or worker group,
    /// counts come from the facet rollup; the waits always do. Lazy, <see cref="SummaryChunk"/> names per read: a caller
    /// that turns each summary into its answer before taking the next holds one task's figures at a time, never a
    /// page's series (issue 24: every task's 51 windows at once took 1.4 GB for one call).
    /// </summary>
    public IEnumerable<TaskSummary> Summaries(IReadOnlyList<string> names, double from, double to, int bucketHours, Facets facets)
    {
        var baselineStart = to - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        foreach (var chunk in names.Chunk(SummaryChunk))
        {
            var unfaceted = rollups.TaskHoursOf(Math.Min(from, baselineStart), to, chunk);
            var groups = rollups.GroupHoursOf(from, to, chunk, facets.Queue, facets.WorkerGroup);
            var counts = facets.Any
                ? groups.Select(g => g.Counts).ToLookup(r => r.Name, StringComparer.Ordinal)
                : unfaceted.Where(r => r.Hour >= from).ToLookup(r => r.Name, StringComparer.Ordinal);
            var verdictRows = unfaceted.ToLookup(r => r.Name, StringComparer.Ordinal);
            var waitRows = groups.ToLookup(g => g.Counts.Name, StringComparer.Ordinal);
            foreach (var name in chunk)
            {
                var rows = counts[name].ToList();
                var waits = waitRows[name].ToList();
                yield return new TaskSummary(
                    name,
                    new Window(from, to, Sum(rows, waits, from, to)),
                    Series(rows, waits, from, to, bucketHours),
                    Verdict(name, [.. verdictRows[name]], to));
            }
        }
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
        return new TaskStats(name, bucketHours, Series(counts, groups, from, end, bucketHours), Verdict(name, unfaceted, end), unfaceted.Count > 0)
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

    /// <summary>
    /// A page of the failures in [since, until) by task name and exception type, most frequent first, then the most
    /// recently seen, after <paramref name="after"/>; added up by SQLite, so only the page is held.
    /// </summary>
    public RankedPage<FailureTotal> Failures(double since, double until, string? name, Facets facets, int limit, RankCursor? after) =>
        ranks.Failures(since, until, name, facets.Queue, facets.WorkerGroup, limit, after);

    private RegressionVerdict Verdict(string name, IReadOnlyList<TaskHourRow> rows, double end)
    {
        var recentStart = end - options.Recent.TotalSeconds;
        var baselineStart = recentStart - options.Baseline.TotalSeconds;
        return RegressionCheck.Evaluate(
            new Window(recentStart, end, Sum(rows, recentStart, end)),
            new Window(baselineStart, recentStart, Sum(rows, baselineStart, recentStart)),
            options,
            objectives.Match(name));
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
