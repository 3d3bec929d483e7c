using Ingest.Storage.Rollups;

namespace Ingest.Insights;

/// <summary>
/// Each task's p99 runtime over the last <see cref="BaselineDays"/> days, from the hourly rollups (a few rows per
/// task and hour, never invocation rows): what a started run's age is held against to call it stuck (issue 25).
/// </summary>
public sealed class StuckBaselines
{
    /// <summary>Days of rollups the p99 is taken over, ending now.</summary>
    public const int BaselineDays = 7;

    private readonly IRollupStore _rollups;

    public StuckBaselines(IRollupStore rollups)
    {
        _rollups = rollups;
    }

    /// <summary>The p99 runtime of each of <paramref name="names"/> that has finished runs in the window; absent where none has.</summary>
    /// <param name="names">The task names of one page of runs (the read is one statement for them all).</param>
    /// <param name="now">The end of the window, Unix seconds.</param>
    public IReadOnlyDictionary<string, double> P99Of(IReadOnlyCollection<string> names, double now)
    {
        var figures = new Dictionary<string, TaskFigures>(StringComparer.Ordinal);
        foreach (var row in _rollups.TaskHoursOf(now - (BaselineDays * 86_400.0), now + 3600, names))
        {
            if (!figures.TryGetValue(row.Name, out var f))
            {
                figures[row.Name] = f = new TaskFigures();
            }

            f.Add(row);
        }

        var p99 = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, f) in figures)
        {
            if (f.RuntimeCount > 0 && f.P99 is { } value)
            {
                p99[name] = value;
            }
        }

        return p99;
    }

    /// <summary>The age past which a run with this baseline is stuck; null without a baseline.</summary>
    public static double? StuckAfter(double? p99, double factor) => p99 is { } p ? p * factor : null;
}
