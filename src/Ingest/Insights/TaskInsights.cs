using Ingest.Insights.Objectives;
using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;

namespace Ingest.Insights;

/// <summary>
/// Answers "did it regress" and "what is failing" from the hourly rollups the flush loop writes: a few rows
/// per task and hour, never the invocation rows. A task an objective covers is judged by it (see <see cref="RegressionCheck"/>).
/// </summary>
public sealed class TaskInsights(IRollupStore rollups, IRollupRanks ranks, RegressionOptions options, TimeProvider time, ObjectiveSet objectives)
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
    /// <see cref="RankTasks(double, double, Facets, int, RankCursor?)"/> over a plan: a range read from minutes is ranked
    /// by its minutes, so a task that ran only before "15 min" began is not listed; a longer one by its hours.
    /// </summary>
    public RankedPage<RankedName> RankTasks(RangePlan plan, Facets facets, int limit, RankCursor? after) => plan.MinutesOnly
        ? ranks.TopTasksByMinute(plan.From, plan.To, facets.Queue, facets.WorkerGroup, limit, after)
        : ranks.TopTasks(plan.From, plan.To, facets.Queue, facets.WorkerGroup, limit, after);

    /// <summary>
    /// The plan of a requested range at the current time (see <see cref="RangePlanner"/>); null with the reason when a
    /// requested bucket does not fit how the range is read.
    /// </summary>
    public RangePlan? Plan(double? since, double? until, int? bucketSeconds, out string? error) =>
        RangePlanner.Plan(since, until, time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, bucketSeconds, rollups.MinutesComplete, out error);

    /// <summary>
    /// Each of <paramref name="names"/>, in that order, with its figures over the plan's range, its series in the plan's
    /// buckets, and its regression verdict at the end of the range's hour. With a queue or worker group, counts come from
    /// the facet rollup; the waits always do. Lazy, <see cref="SummaryChunk"/> names per read: a caller that turns each
    /// summary into its answer before taking the next holds one task's figures at a time, never a page's series (issue 24:
    /// every task's 51 windows at once took 1.4 GB for one call).
    /// </summary>
    public IEnumerable<TaskSummary> Summaries(IReadOnlyList<string> names, RangePlan plan, Facets facets)
    {
        var end = Math.Ceiling(plan.To / Hour) * Hour;
        var baselineStart = end - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        var now = Now();
        foreach (var chunk in names.Chunk(SummaryChunk))
        {
            var unfaceted = rollups.TaskHoursOf(Math.Min(plan.HourFrom, baselineStart), end, chunk);
            var groups = Hours(rollups.GroupHoursOf(plan.HourFrom, plan.HourTo, chunk, facets.Queue, facets.WorkerGroup), plan);
            var minutes = plan.MinuteParts().SelectMany(p => rollups.GroupMinutesOf(p.From, p.To, chunk, facets.Queue, facets.WorkerGroup)).ToList();
            var hourCounts = facets.Any ? groups.Select(g => g.Counts) : unfaceted.Where(r => r.Hour >= plan.HourFrom && r.Hour < plan.HourTo);
            var counts = hourCounts.Concat(minutes.Select(m => m.Counts)).ToLookup(r => r.Name, StringComparer.Ordinal);
            var verdictRows = unfaceted.ToLookup(r => r.Name, StringComparer.Ordinal);
            var waitRows = groups.Concat(minutes).ToLookup(g => g.Counts.Name, StringComparer.Ordinal);
            foreach (var name in chunk)
            {
                var rows = counts[name].ToList();
                var waits = waitRows[name].ToList();
                yield return new TaskSummary(
                    name,
                    new Window(plan.From, plan.To, Sum(rows, waits, plan.From, plan.To)),
                    Series(rows, waits, plan, now),
                    Verdict(name, [.. verdictRows[name]], end));
            }
        }
    }

    /// <summary>One task's series in the plan's buckets, its figures by queue and worker group, and its verdict at the end of the range's hour.</summary>
    public TaskStats Stats(string name, RangePlan plan, Facets? facets = null)
    {
        facets ??= Facets.None;
        var end = Math.Ceiling(plan.To / Hour) * Hour;
        var baselineStart = end - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        var unfaceted = rollups.TaskHours(Math.Min(plan.HourFrom, baselineStart), end, name);
        var groups = Hours(rollups.GroupHours(plan.HourFrom, plan.HourTo, name, facets.Queue, facets.WorkerGroup), plan);
        var minutes = plan.MinuteParts().SelectMany(p => rollups.GroupMinutes(p.From, p.To, name, facets.Queue, facets.WorkerGroup)).ToList();
        var hourCounts = facets.Any ? groups.Select(g => g.Counts) : unfaceted.Where(r => r.Hour >= plan.HourFrom && r.Hour < plan.HourTo);
        var counts = hourCounts.Concat(minutes.Select(m => m.Counts)).ToList();
        var facetRows = groups.Concat(minutes).ToList();
        return new TaskStats(name, plan.BucketSeconds, Series(counts, facetRows, plan, Now()), Verdict(name, unfaceted, end), unfaceted.Count > 0 || minutes.Count > 0)
        {
            Queues = Breakdown(facetRows, g => g.Queue, plan.From, plan.To),
            WorkerGroups = Breakdown(facetRows, g => g.WorkerGroup, plan.From, plan.To),
        };
    }

    private double Now() => time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Hourly rows of the plan's whole hours only: an hour a boundary cuts is read from its minutes instead.</summary>
    private static List<GroupHourRow> Hours(IReadOnlyList<GroupHourRow> rows, RangePlan plan) =>
        [.. rows.Where(r => r.Counts.Hour >= plan.HourFrom && r.Counts.Hour < plan.HourTo)];

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

    private static List<Window> Series(IReadOnlyList<TaskHourRow> rows, IReadOnlyList<GroupHourRow> waits, RangePlan plan, double now) =>
        [.. plan.Buckets(now).Select(b => new Window(b.From, b.To, Sum(rows, waits, b.From, b.To)) { Partial = b.Partial })];

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
