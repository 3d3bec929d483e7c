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

    /// <summary>Every task name seen in the last 24 hours, with its last-hour and 24-hour figures, hourly series and verdict.</summary>
    public IReadOnlyList<TaskSummary> Tasks()
    {
        var end = CurrentHourEnd();
        var baselineStart = end - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        var dayStart = end - (24 * Hour);
        var rows = rollups.TaskHours(Math.Min(baselineStart, dayStart), end);
        return rows.GroupBy(r => r.Name, StringComparer.Ordinal)
            .Where(g => g.Any(r => r.Hour >= dayStart))
            .Select(g =>
            {
                var list = g.ToList();
                var hours = new TaskFigures[24];
                for (var i = 0; i < hours.Length; i++)
                {
                    hours[i] = Sum(list, dayStart + (i * Hour), dayStart + ((i + 1) * Hour));
                }

                return new TaskSummary(
                    g.Key,
                    new Window(end - Hour, end, Sum(list, end - Hour, end)),
                    new Window(dayStart, end, Sum(list, dayStart, end)),
                    hours,
                    Verdict(list, end));
            })
            .OrderByDescending(t => t.Day.Figures.Total)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One task's series in buckets of whole hours over [since, until), and its verdict at until.</summary>
    public TaskStats Stats(string name, double since, double until, int bucketHours)
    {
        var bucket = bucketHours * Hour;
        var from = Math.Floor(since / bucket) * bucket;
        var end = Math.Ceiling(until / Hour) * Hour;
        var baselineStart = end - options.Recent.TotalSeconds - options.Baseline.TotalSeconds;
        var rows = rollups.TaskHours(Math.Min(from, baselineStart), end, name);
        var series = new List<Window>();
        for (var at = from; at < end; at += bucket)
        {
            series.Add(new Window(at, Math.Min(at + bucket, end), Sum(rows, at, at + bucket)));
        }

        return new TaskStats(name, bucketHours, series, Verdict(rows, end), rows.Count > 0);
    }

    /// <summary>Failures in [since, until) by task name and exception type, most frequent first.</summary>
    public IReadOnlyList<FailureGroup> Failures(double since, double until, string? name)
    {
        return rollups.FailureHours(since, until, name)
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

    private static TaskFigures Sum(IReadOnlyList<TaskHourRow> rows, double from, double to)
    {
        var figures = new TaskFigures();
        foreach (var row in rows)
        {
            if (row.Hour >= from && row.Hour < to)
            {
                figures.Add(row);
            }
        }

        return figures;
    }
}

public sealed record TaskSummary(string Name, Window LastHour, Window Day, IReadOnlyList<TaskFigures> Hours, RegressionVerdict Regression);

public sealed record TaskStats(string Name, int BucketHours, IReadOnlyList<Window> Series, RegressionVerdict Regression, bool Known);

public sealed record FailureGroup(string Name, string ExceptionType, long Count, double? FirstSeen, double? LastSeen, string? ExampleTaskId);
