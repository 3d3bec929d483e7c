using Ingest.Insights;
using Ingest.Insights.Objectives;
using Ingest.Storage;
using Ingest.Storage.Rollups;

namespace Ingest.Tests.Insights;

/// <summary>Issue 28: where a task has an objective, the regression verdict judges it by the objective, not by its own past.</summary>
public class RegressionCheckObjectiveTests
{
    private static readonly RegressionOptions s_options = new();

    private static readonly TaskObjective s_objective = new("payments", "billing.charge", 0.99, new LatencyObjective(95, 2, false), TimeSpan.FromDays(28));

    /// <summary>Always 5% failing and always slow: no change against the baseline, but past the objective.</summary>
    [Fact]
    public void Evaluate_SteadilyPastTheObjective_FlaggedWithTheObjectiveNamed_Issue28()
    {
        var verdict = RegressionCheck.Evaluate(Window(95, 5, 3), Window(95, 5, 3), s_options, s_objective);

        Assert.True(verdict.Flagged);
        Assert.Equal(2, verdict.Reasons.Count);
        Assert.All(verdict.Reasons, r => Assert.Contains("objective payments", r, StringComparison.Ordinal));
    }

    /// <summary>Without the objective, the same figures are no regression: nothing changed.</summary>
    [Fact]
    public void Evaluate_SteadilyPastTheObjectiveButNoneSet_NotFlagged_Issue28() =>
        Assert.False(RegressionCheck.Evaluate(Window(95, 5, 3), Window(95, 5, 3), s_options).Flagged);

    /// <summary>Ten times worse than the baseline, yet within the objective: not flagged.</summary>
    [Fact]
    public void Evaluate_WorseThanTheBaselineButWithinTheObjective_NotFlagged_Issue28()
    {
        var verdict = RegressionCheck.Evaluate(Window(1000, 5, 1.5), Window(1000, 0, 0.1), s_options, s_objective);

        Assert.False(verdict.Flagged, string.Join("; ", verdict.Reasons));
    }

    private static Window Window(long succeeded, long failed, double runtime)
    {
        var states = new long[TaskStates.All.Count];
        states[TaskStates.IndexOf(TaskStates.Success)] = succeeded;
        states[TaskStates.IndexOf(TaskStates.Failure)] = failed;
        var runtimes = new RuntimeHistogram();
        runtimes.Add(runtime, succeeded);
        var figures = new TaskFigures();
        figures.Add(new TaskHourRow("billing.charge", 0, succeeded + failed, states, succeeded, runtime * succeeded, runtimes.Encode()));
        return new Window(0, 3600, figures);
    }
}
