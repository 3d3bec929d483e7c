using System.Globalization;
using Ingest.Insights;
using Ingest.Storage.Reading;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ingest.Endpoints;

/// <summary>
/// <c>/api/tasks</c>, <c>/api/tasks/{name}/stats</c> and <c>/api/failures</c>: "did it regress" and "what is
/// failing", answered from the hourly rollups.
/// </summary>
public static class InsightsApi
{
    /// <summary>Most buckets one stats answer holds.</summary>
    public const int MaxBuckets = 2000;

    /// <summary>Tasks (and failure groups) on one page when the caller does not say.</summary>
    public const int DefaultPage = 200;

    /// <summary>Queues and worker groups a task's stats break its runs down by: the ones with the most runs.</summary>
    public const int MaxBreakdown = 100;

    private const string CursorError = "cursor is not one this server gave out";

    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tasks", ListTasks).Takes("since", "until", "bucket", "queue", "worker_group", "limit", "cursor").Admitted();
        app.MapGet("/api/tasks/{name}/stats", GetStats).Takes("since", "until", "bucket", "queue", "worker_group").Admitted();
        app.MapGet("/api/facets", FacetsApi.ListFacets).Takes("since", "until").Admitted();
        app.MapGet("/api/failures", ListFailures).Takes("since", "until", "name", "queue", "worker_group", "limit", "cursor").Admitted();
        return app;
    }

    /// <summary>
    /// The tasks with the most runs in the range, a page at a time: at most <c>limit</c> (default <see cref="DefaultPage"/>)
    /// and at most <see cref="PageBudget.DefaultMaxBytes"/> serialized, with <c>next_cursor</c> for the rest. Series are
    /// computed for the page's tasks only, one task at a time.
    /// </summary>
    public static Results<Ok<TaskListView>, BadRequest<ErrorView>> ListTasks(
        TaskInsights insights, TimeProvider time, IOptions<JsonOptions> json, string? since = null, string? until = null, string? bucket = null, string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "worker_group")] string? workerGroup = null, string? limit = null, string? cursor = null)
    {
        if (!TryPlan(insights, time, since, until, bucket, out var plan, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        if (!TryPage(limit, cursor, RankCursor.Tasks, out var pageSize, out var after, out error))
        {
            return TypedResults.BadRequest(error);
        }

        var now = ApiTime.Now(time);
        var facets = new Facets(Empty(queue), Empty(workerGroup));
        var ranked = insights.RankTasks(plan, facets, pageSize, after);
        var budget = new PageBudget(json.Value.SerializerOptions);
        var tasks = new List<TaskSummaryView>();
        var more = ranked.HasMore;
        RankedName? last = null;
        foreach (var (t, rank) in insights.Summaries([.. ranked.Items.Select(r => r.Name)], plan, facets).Zip(ranked.Items))
        {
            var view = new TaskSummaryView(t.Name, FiguresView.Of(t.Range, now), [.. t.Series.Select(SeriesPointView.Of)], RegressionView.Of(t.Regression, insights.Options, now));
            if (!budget.TryAdd(view))
            {
                more = true;
                break;
            }

            tasks.Add(view);
            last = rank;
        }

        return TypedResults.Ok(new TaskListView(ApiTime.Format(now)!, ApiTime.Format(plan.From)!, ApiTime.Format(plan.To)!, RangePlanner.BucketName(plan.BucketSeconds), facets.Queue, facets.WorkerGroup, tasks)
        {
            BucketSeconds = plan.BucketSeconds,
            RoundedStart = plan.RoundedStart,
            RoundedEnd = plan.RoundedEnd,
            NextCursor = more && last is not null ? new RankCursor(RankCursor.Tasks, last.Runs, 0, last.Name, "").Encode() : null,
            TotalTasks = ranked.Total,
        });
    }

    public static Results<Ok<TaskStatsView>, BadRequest<ErrorView>, NotFound<ErrorView>> GetStats(
        string name, TaskInsights insights, TimeProvider time, string? since = null, string? until = null, string? bucket = null, string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "worker_group")] string? workerGroup = null)
    {
        // Routing decodes a path segment except its "/" (%2F), so a task named "a/b" arrived as "a%2Fb" and was not found.
        name = name.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (!TryPlan(insights, time, since, until, bucket, out var plan, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        var now = ApiTime.Now(time);
        var stats = insights.Stats(name, plan, new Facets(Empty(queue), Empty(workerGroup)));
        if (!stats.Known)
        {
            return TypedResults.NotFound(new ErrorView($"no rollups for task '{name}' in that range or its baseline"));
        }

        return TypedResults.Ok(new TaskStatsView(
            name,
            RangePlanner.BucketName(plan.BucketSeconds),
            stats.Series.Select(w => FiguresView.Of(w, now)).ToList(),
            RegressionView.Of(stats.Regression, insights.Options, now),
            [.. stats.Queues.Take(MaxBreakdown).Select(b => new BreakdownView(b.Key, FiguresView.Of(b.Figures, now)))],
            [.. stats.WorkerGroups.Take(MaxBreakdown).Select(b => new BreakdownView(b.Key, FiguresView.Of(b.Figures, now)))])
        {
            From = ApiTime.Format(plan.From)!,
            To = ApiTime.Format(plan.To)!,
            BucketSeconds = plan.BucketSeconds,
            RoundedStart = plan.RoundedStart,
            RoundedEnd = plan.RoundedEnd,
            QueuesOmitted = Math.Max(0, stats.Queues.Count - MaxBreakdown),
            WorkerGroupsOmitted = Math.Max(0, stats.WorkerGroups.Count - MaxBreakdown),
        });
    }

    /// <summary>
    /// Failures by task and exception type, most first, a page at a time (<c>limit</c>, default <see cref="DefaultPage"/>,
    /// and <see cref="PageBudget.DefaultMaxBytes"/>), with <c>next_cursor</c> for the rest.
    /// </summary>
    public static Results<Ok<FailureListView>, BadRequest<ErrorView>> ListFailures(
        TaskInsights insights, IInvocationStore invocations, TimeProvider time, IOptions<JsonOptions> json, string? since = null, string? until = null, string? name = null, string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "worker_group")] string? workerGroup = null, string? limit = null, string? cursor = null)
    {
        if (!ApiTime.TryParse(since, ApiTime.Now(time), out var sinceAt) || !ApiTime.TryParse(until, ApiTime.Now(time), out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        if (!TryPage(limit, cursor, RankCursor.Failures, out var pageSize, out var after, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        var now = ApiTime.Now(time);
        var to = untilAt ?? now;
        var from = sinceAt ?? to - (24 * TaskInsights.Hour);
        var page = insights.Failures(from, to, string.IsNullOrEmpty(name) ? null : name, new Facets(Empty(queue), Empty(workerGroup)), pageSize, after);
        var budget = new PageBudget(json.Value.SerializerOptions);
        var groups = new List<FailureGroupView>();
        var more = page.HasMore;
        FailureTotal? last = null;
        foreach (var f in page.Items)
        {
            // One indexed lookup per group on the page: the rollup keeps the newest example's id, not its text.
            var example = f.ExampleTaskId is { } id ? invocations.Get(id) : null;
            var message = example is null ? null : FailureGroupView.Clip(Storage.TaskStates.ExceptionMessageOf(example.Exception, example.Traceback));
            var view = new FailureGroupView(f.Name, f.ExceptionType, f.Count, ApiTime.Format(f.FirstSeen), ApiTime.Format(f.LastSeen), f.ExampleTaskId)
            {
                ExceptionMessage = message,
            };
            if (!budget.TryAdd(view))
            {
                more = true;
                break;
            }

            groups.Add(view);
            last = f;
        }

        // Rollups are hourly: say which hours were actually counted.
        var hourFrom = Math.Floor(from / TaskInsights.Hour) * TaskInsights.Hour;
        return TypedResults.Ok(new FailureListView(ApiTime.Format(hourFrom)!, ApiTime.Format(to)!, groups)
        {
            NextCursor = more && last is not null ? new RankCursor(RankCursor.Failures, last.Count, last.LastSeen ?? -1, last.Name, last.ExceptionType).Encode() : null,
            TotalGroups = page.Total,
        });
    }

    /// <summary>Parses a ranked list's <c>limit</c> (1 to 1000, default <see cref="DefaultPage"/>) and <c>cursor</c>.</summary>
    private static bool TryPage(string? limit, string? cursor, string list, out int pageSize, out RankCursor? after, out ErrorView error)
    {
        after = null;
        error = new ErrorView(CursorError);
        if (!ApiQuery.TryLimit(limit, DefaultPage, InvocationQuery.MaxLimit, out pageSize, out var limitError))
        {
            error = new ErrorView(limitError);
            return false;
        }

        return cursor is null || RankCursor.TryDecode(cursor, list, out after);
    }

    private const string BucketError = "bucket is a whole number of minutes, hours or days: 1m, 10m, 1h, 6h, 1d (minutes for ranges of up to 6 hours within the last 48)";

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>
    /// since, until and bucket parsed into the range's plan (issue 25: exact bounds, minute buckets for a recent range
    /// of up to 6 hours), with at most <see cref="MaxBuckets"/> buckets.
    /// </summary>
    private static bool TryPlan(TaskInsights insights, TimeProvider time, string? since, string? until, string? bucket, out RangePlan plan, out ErrorView error)
    {
        plan = null!;
        var now = ApiTime.Now(time);
        if (!ApiTime.TryParse(since, now, out var sinceAt) || !ApiTime.TryParse(until, now, out var untilAt))
        {
            error = new ErrorView(ApiTime.RangeError);
            return false;
        }

        int? bucketSeconds = null;
        if (bucket is not null)
        {
            if (!TryParseBucket(bucket, out var seconds))
            {
                error = new ErrorView(BucketError);
                return false;
            }

            bucketSeconds = seconds;
        }

        if (sinceAt >= (untilAt ?? now))
        {
            error = new ErrorView("since must be before until");
            return false;
        }

        if (insights.Plan(sinceAt, untilAt, bucketSeconds, out var refused) is not { } planned)
        {
            error = new ErrorView(refused!);
            return false;
        }

        if ((planned.To - planned.From) / planned.BucketSeconds > MaxBuckets)
        {
            error = new ErrorView($"that range holds more than {MaxBuckets} buckets; use a larger bucket");
            return false;
        }

        (plan, error) = (planned, new ErrorView(""));
        return true;
    }

    /// <summary>since/until parsed and rounded to the whole hours the rollups hold; since must come first.</summary>
    internal static bool TryRange(TaskInsights insights, double now, string? since, string? until, out double from, out double to, out ErrorView error)
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

    /// <summary>A bucket length in seconds: n minutes (1 to 60), hours or days (up to 31 days).</summary>
    internal static bool TryParseBucket(string text, out int seconds)
    {
        seconds = 0;
        if (text.Length < 2)
        {
            return false;
        }

        var unit = char.ToLowerInvariant(text[^1]);
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 24 * 31)
        {
            return false;
        }

        seconds = unit switch { 'm' when n <= 60 => n * 60, 'h' => n * 3600, 'd' when n <= 31 => n * 86400, _ => 0 };
        return seconds is > 0 and <= 86400 * 31;
    }
}
