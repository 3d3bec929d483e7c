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
