using System.Globalization;
using Ingest.Insights;
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
        app.MapGet("/api/tasks", ListTasks).Takes();
        app.MapGet("/api/tasks/{name}/stats", GetStats).Takes("since", "until", "bucket");
        app.MapGet("/api/failures", ListFailures).Takes("since", "until", "name");
        return app;
    }

    public static Ok<TaskListView> ListTasks(TaskInsights insights, TimeProvider time)
    {
        var now = Now(time);
        var tasks = insights.Tasks().Select(t => new TaskSummaryView(
            t.Name,
            FiguresView.Of(t.LastHour, now),
            FiguresView.Of(t.Day, now),
            t.Hours.Select((h, i) => new HourPointView(ApiTime.Format(t.Day.From + (i * TaskInsights.Hour))!, h.Total, h.Failed, h.P95)).ToList(),
            RegressionView.Of(t.Regression, insights.Options, now))).ToList();
        return TypedResults.Ok(new TaskListView(ApiTime.Format(now)!, tasks));
    }

    public static Results<Ok<TaskStatsView>, BadRequest<ErrorView>, NotFound<ErrorView>> GetStats(
        string name, TaskInsights insights, TimeProvider time, string? since = null, string? until = null, string? bucket = null)
    {
        if (!ApiTime.TryParse(since, out var sinceAt) || !ApiTime.TryParse(until, out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        if (!TryParseBucket(bucket ?? "1h", out var bucketHours))
        {
            return TypedResults.BadRequest(new ErrorView("bucket is a whole number of hours or days: 1h, 6h, 1d (rollups are hourly)"));
        }

        var now = Now(time);
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

        var stats = insights.Stats(name, from, to, bucketHours);
        if (!stats.Known)
        {
            return TypedResults.NotFound(new ErrorView($"no rollups for task '{name}' in that range or its baseline"));
        }

        return TypedResults.Ok(new TaskStatsView(
            name,
            bucketHours % 24 == 0 ? $"{bucketHours / 24}d" : $"{bucketHours}h",
            stats.Series.Select(w => FiguresView.Of(w, now)).ToList(),
            RegressionView.Of(stats.Regression, insights.Options, now)));
    }

    public static Results<Ok<FailureListView>, BadRequest<ErrorView>> ListFailures(
        TaskInsights insights, TimeProvider time, string? since = null, string? until = null, string? name = null)
    {
        if (!ApiTime.TryParse(since, out var sinceAt) || !ApiTime.TryParse(until, out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        var now = Now(time);
        var to = untilAt ?? now;
        var from = sinceAt ?? to - (24 * TaskInsights.Hour);
        var groups = insights.Failures(from, to, string.IsNullOrEmpty(name) ? null : name)
            .Select(f => new FailureGroupView(f.Name, f.ExceptionType, f.Count, ApiTime.Format(f.FirstSeen), ApiTime.Format(f.LastSeen), f.ExampleTaskId))
            .ToList();
        // Rollups are hourly: say which hours were actually counted.
        var hourFrom = Math.Floor(from / TaskInsights.Hour) * TaskInsights.Hour;
        return TypedResults.Ok(new FailureListView(ApiTime.Format(hourFrom)!, ApiTime.Format(to)!, groups));
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

    private static double Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
}

public sealed record TaskListView(string GeneratedAt, IReadOnlyList<TaskSummaryView> Tasks);

public sealed record TaskSummaryView(string Name, FiguresView LastHour, [property: System.Text.Json.Serialization.JsonPropertyName("last_24h")] FiguresView Last24h, IReadOnlyList<HourPointView> Hourly, RegressionView Regression);

public sealed record HourPointView(string Hour, long Total, long Failed, double? P95S);

public sealed record TaskStatsView(string Name, string Bucket, IReadOnlyList<FiguresView> Series, RegressionView Regression);

public sealed record FailureListView(string Since, string Until, IReadOnlyList<FailureGroupView> Groups);

public sealed record FailureGroupView(string Name, string ExceptionType, long Count, string? FirstSeen, string? LastSeen, string? ExampleTaskId);

public sealed record RuntimeView(long Count, double? MeanS, double? P50S, double? P95S, double? P99S);

/// <summary>One window's figures, with its exact bounds so nothing is labelled more recent than it is.</summary>
public sealed record FiguresView(
    string From, string To, long Total, IReadOnlyDictionary<string, long> States, long Succeeded, long Failed,
    double? FailureRate, double RatePerMin, RuntimeView Runtime)
{
    public static FiguresView Of(Window w, double now)
    {
        var f = w.Figures;
        // A window still running is averaged over the minutes that have passed, not its full length.
        var minutes = Math.Max(1.0 / 60, (Math.Min(w.To, now) - w.From) / 60);
        return new FiguresView(
            ApiTime.Format(w.From)!, ApiTime.Format(w.To)!, f.Total, f.States(), f.Succeeded, f.Failed, f.FailureRate,
            Math.Round(f.Total / minutes, 3), new RuntimeView(f.RuntimeCount, f.Mean, f.P50, f.P95, f.P99));
    }
}

public sealed record RegressionView(bool Flagged, IReadOnlyList<string> Reasons, FiguresView Recent, FiguresView Baseline, RegressionThresholdsView Thresholds)
{
    public static RegressionView Of(RegressionVerdict v, RegressionOptions o, double now) => new(
        v.Flagged, v.Reasons, FiguresView.Of(v.Recent, now), FiguresView.Of(v.Baseline, now),
        new RegressionThresholdsView(o.P95Factor, o.FailureRateFactor, o.MinFailureRateIncrease, o.MinSamples));
}

public sealed record RegressionThresholdsView(double P95Factor, double FailureRateFactor, double MinFailureRateIncrease, int MinSamples);
