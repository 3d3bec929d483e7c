using System.Globalization;
using Ingest.Insights;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>
/// <c>/api/tasks</c>, <c>/api/tasks/{name}/stats</c> and <c>/api/failures</c>: "did it regress" and "what is
/// failing", answered from the hourly rollups.
/// </summary>
public static class InsightsApi
{
    /// <summary>Most buckets one stats answer holds.</summary>
    public const int MaxBuckets = 2000;

    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tasks", ListTasks).Takes("since", "until", "bucket", "queue", "worker_group");
        app.MapGet("/api/tasks/{name}/stats", GetStats).Takes("since", "until", "bucket", "queue", "worker_group");
        app.MapGet("/api/facets", ListFacets).Takes("since", "until");
        app.MapGet("/api/failures", ListFailures).Takes("since", "until", "name", "queue", "worker_group");
        return app;
    }

    public static Results<Ok<TaskListView>, BadRequest<ErrorView>> ListTasks(
        TaskInsights insights, TimeProvider time, string? since = null, string? until = null, string? bucket = null, string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "worker_group")] string? workerGroup = null)
    {
        if (!TryRange(insights, ApiTime.Now(time), since, until, out var from, out var to, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        var bucketHours = TaskInsights.AutoBucketHours(from, to);
        if (bucket is not null && !TryParseBucket(bucket, out bucketHours))
        {
            return TypedResults.BadRequest(new ErrorView(BucketError));
        }

        if ((to - from) / (bucketHours * TaskInsights.Hour) > MaxBuckets)
        {
            return TypedResults.BadRequest(new ErrorView($"that range holds more than {MaxBuckets} buckets; use a larger bucket"));
        }

        var now = ApiTime.Now(time);
        var facets = new Facets(Empty(queue), Empty(workerGroup));
        var tasks = insights.Tasks(from, to, bucketHours, facets).Select(t => new TaskSummaryView(
            t.Name,
            FiguresView.Of(t.Range, now),
            t.Series.Select(SeriesPointView.Of).ToList(),
            RegressionView.Of(t.Regression, insights.Options, now))).ToList();
        return TypedResults.Ok(new TaskListView(ApiTime.Format(now)!, ApiTime.Format(from)!, ApiTime.Format(to)!, BucketName(bucketHours), facets.Queue, facets.WorkerGroup, tasks));
    }

    /// <summary>The queues, worker groups and task names with runs in the range (from the facet rollup), and the workers known now.</summary>
    public static Results<Ok<FacetsView>, BadRequest<ErrorView>> ListFacets(
        TaskInsights insights, Storage.Rollups.RollupReader rollups, Tracking.WorkerRegistry workers, TimeProvider time, string? since = null, string? until = null)
    {
        if (!TryRange(insights, ApiTime.Now(time), since, until, out var from, out var to, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        var rows = rollups.GroupHours(from, to).Where(r => r.Counts.Total > 0).ToList();
        List<string> Distinct(Func<Storage.Rollups.GroupHourRow, string> key) =>
            [.. rows.Select(key).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return TypedResults.Ok(new FacetsView(
            ApiTime.Format(from)!, ApiTime.Format(to)!, Distinct(r => r.Queue), Distinct(r => r.WorkerGroup), Distinct(r => r.Counts.Name),
            [.. workers.Snapshot().Select(w => w.Hostname)]));
    }

    public static Results<Ok<TaskStatsView>, BadRequest<ErrorView>, NotFound<ErrorView>> GetStats(
        string name, TaskInsights insights, TimeProvider time, string? since = null, string? until = null, string? bucket = null, string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "worker_group")] string? workerGroup = null)
    {
        if (!ApiTime.TryParse(since, ApiTime.Now(time), out var sinceAt) || !ApiTime.TryParse(until, ApiTime.Now(time), out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        if (!TryParseBucket(bucket ?? "1h", out var bucketHours))
        {
            return TypedResults.BadRequest(new ErrorView(BucketError));
        }

        var now = ApiTime.Now(time);
        var to = untilAt ?? now;
        var from = sinceAt ?? to - (24 * TaskInsights.Hour);
        if (from >= to)
        {
            return TypedResults.BadRequest(new ErrorView("since must be before until"));
        }

        if ((to - from) / (bucketHours * TaskInsights.Hour) > MaxBuckets)
        {
            return TypedResults.BadRequest(new ErrorView($"that range holds more than {MaxBuckets} buckets; use a larger bucket"));
        }

        var stats = insights.Stats(name, from, to, bucketHours, new Facets(Empty(queue), Empty(workerGroup)));
        if (!stats.Known)
        {
            return TypedResults.NotFound(new ErrorView($"no rollups for task '{name}' in that range or its baseline"));
        }

        return TypedResults.Ok(new TaskStatsView(
            name,
            BucketName(bucketHours),
            stats.Series.Select(w => FiguresView.Of(w, now)).ToList(),
            RegressionView.Of(stats.Regression, insights.Options, now),
            [.. stats.Queues.Select(b => new BreakdownView(b.Key, FiguresView.Of(b.Figures, now)))],
            [.. stats.WorkerGroups.Select(b => new BreakdownView(b.Key, FiguresView.Of(b.Figures, now)))]));
    }

    public static Results<Ok<FailureListView>, BadRequest<ErrorView>> ListFailures(
        TaskInsights insights, TimeProvider time, string? since = null, string? until = null, string? name = null, string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "worker_group")] string? workerGroup = null)
    {
        if (!ApiTime.TryParse(since, ApiTime.Now(time), out var sinceAt) || !ApiTime.TryParse(until, ApiTime.Now(time), out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        var now = ApiTime.Now(time);
        var to = untilAt ?? now;
        var from = sinceAt ?? to - (24 * TaskInsights.Hour);
        var groups = insights.Failures(from, to, string.IsNullOrEmpty(name) ? null : name, new Facets(Empty(queue), Empty(workerGroup)))
            .Select(f => new FailureGroupView(f.Name, f.ExceptionType, f.Count, ApiTime.Format(f.FirstSeen), ApiTime.Format(f.LastSeen), f.ExampleTaskId))
            .ToList();
        // Rollups are hourly: say which hours were actually counted.
        var hourFrom = Math.Floor(from / TaskInsights.Hour) * TaskInsights.Hour;
        return TypedResults.Ok(new FailureListView(ApiTime.Format(hourFrom)!, ApiTime.Format(to)!, groups));
    }

    private const string BucketError = "bucket is a whole number of hours or days: 1h, 6h, 1d (rollups are hourly)";

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string BucketName(int hours) => hours % 24 == 0 ? $"{hours / 24}d" : $"{hours}h";

    /// <summary>since/until parsed and rounded to the whole hours the rollups hold; since must come first.</summary>
    private static bool TryRange(TaskInsights insights, double now, string? since, string? until, out double from, out double to, out ErrorView error)
    {
        (from, to) = (0, 0);
        error = new ErrorView(ApiTime.RangeError);
        if (!ApiTime.TryParse(since, now, out var sinceAt) || !ApiTime.TryParse(until, now, out var untilAt))
        {
            return false;
        }

        (from, to) = insights.Range(sinceAt, untilAt);
        if (from >= to)
        {
            error = new ErrorView("since must be before until");
            return false;
        }

        return true;
    }

    internal static bool TryParseBucket(string text, out int hours)
    {
        hours = 0;
        if (text.Length < 2)
        {
            return false;
        }

        var unit = char.ToLowerInvariant(text[^1]);
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 24 * 31)
        {
            return false;
        }

        hours = unit switch { 'h' => n, 'd' => n * 24, _ => 0 };
        return hours is > 0 and <= 24 * 31;
    }

}

/// <summary>The task list over one range: its whole-hour bounds, bucket and facets say exactly what the figures cover.</summary>
public sealed record TaskListView(string GeneratedAt, string From, string To, string Bucket, string? Queue, string? WorkerGroup, IReadOnlyList<TaskSummaryView> Tasks);

/// <summary>One task over the range: <c>window</c> covers all of it; <c>series</c> cuts it into buckets.</summary>
public sealed record TaskSummaryView(string Name, FiguresView Window, IReadOnlyList<SeriesPointView> Series, RegressionView Regression);

/// <summary>One bucket of a task's series: runs, failures and percentiles of runtime and of the two waits.</summary>
public sealed record SeriesPointView(string From, string To, long Total, long Failed, double? FailureRate, double? P50S, double? P95S, double? P99S, double? QueueWaitP95S, double? PickupP95S)
{
    public static SeriesPointView Of(Window w) => new(
        ApiTime.Format(w.From)!, ApiTime.Format(w.To)!, w.Figures.Total, w.Figures.Failed, w.Figures.FailureRate,
        w.Figures.P50, w.Figures.P95, w.Figures.P99, w.Figures.QueueWait?.P95, w.Figures.Pickup?.P95);
}

public sealed record FacetsView(string From, string To, IReadOnlyList<string> Queues, IReadOnlyList<string> WorkerGroups, IReadOnlyList<string> Names, IReadOnlyList<string> Workers);

/// <summary>A task's series and verdict, with the range's figures by queue and by worker group (the facet rollup's; days written before it have none).</summary>
public sealed record TaskStatsView(
    string Name, string Bucket, IReadOnlyList<FiguresView> Series, RegressionView Regression,
    IReadOnlyList<BreakdownView> Queues, IReadOnlyList<BreakdownView> WorkerGroups);

/// <summary>One queue's or worker group's figures over the range.</summary>
public sealed record BreakdownView(string Key, FiguresView Figures);

public sealed record FailureListView(string Since, string Until, IReadOnlyList<FailureGroupView> Groups);

public sealed record FailureGroupView(string Name, string ExceptionType, long Count, string? FirstSeen, string? LastSeen, string? ExampleTaskId);

public sealed record RuntimeView(long Count, double? MeanS, double? P50S, double? P95S, double? P99S)
{
    public static RuntimeView? Of(Waits? w) => w is null ? null : new RuntimeView(w.Count, w.Mean, w.P50, w.P95, w.P99);
}

/// <summary>One window's figures, with its exact bounds so nothing is labelled more recent than it is.</summary>
public sealed record FiguresView(
    string From, string To, long Total, IReadOnlyDictionary<string, long> States, long Succeeded, long Failed,
    double? FailureRate, double RatePerMin, RuntimeView Runtime, RuntimeView? QueueWait, RuntimeView? Pickup)
{
    public static FiguresView Of(Window w, double now)
    {
        var f = w.Figures;
        // A window still running is averaged over the minutes that have passed, not its full length.
        var minutes = Math.Max(1.0 / 60, (Math.Min(w.To, now) - w.From) / 60);
        return new FiguresView(
            ApiTime.Format(w.From)!, ApiTime.Format(w.To)!, f.Total, f.States(), f.Succeeded, f.Failed, f.FailureRate,
            Math.Round(f.Total / minutes, 3), new RuntimeView(f.RuntimeCount, f.Mean, f.P50, f.P95, f.P99), RuntimeView.Of(f.QueueWait), RuntimeView.Of(f.Pickup));
    }
}

public sealed record RegressionView(bool Flagged, IReadOnlyList<string> Reasons, FiguresView Recent, FiguresView Baseline, RegressionThresholdsView Thresholds)
{
    public static RegressionView Of(RegressionVerdict v, RegressionOptions o, double now) => new(
        v.Flagged, v.Reasons, FiguresView.Of(v.Recent, now), FiguresView.Of(v.Baseline, now),
        new RegressionThresholdsView(o.P95Factor, o.FailureRateFactor, o.MinFailureRateIncrease, o.MinSamples));
}

public sealed record RegressionThresholdsView(double P95Factor, double FailureRateFactor, double MinFailureRateIncrease, int MinSamples);
