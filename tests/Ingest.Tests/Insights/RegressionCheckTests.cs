using Ingest.Insights;
using Ingest.Storage;
using Ingest.Storage.Rollups;

namespace Ingest.Tests.Insights;

public class RegressionCheckTests
{
    private static readonly RegressionOptions s_options = new();

    /// <summary>A window of <paramref name="succeeded"/> successful runs with no runtimes (the failure-rate comparison only).</summary>
    private static Window Runs(int succeeded)
    {
        var figures = new TaskFigures();
        var states = new long[TaskStates.All.Count];
        states[TaskStates.IndexOf(TaskStates.Success)] = succeeded;
        figures.Add(new TaskHourRow("t", 0, succeeded, states, 0, 0, null));
        return new Window(0, 3600, figures);
    }

    [Fact]
    public void Evaluate_NoBaseline_IsNotJudged_Issue25()
    {
        var verdict = RegressionCheck.Evaluate(Runs(30), Runs(0), s_options);

        Assert.False(verdict.Flagged);
        Assert.False(verdict.Judged);
    }

    [Fact]
    public void Evaluate_EnoughRunsOnBothSides_IsJudged()
    {
        var verdict = RegressionCheck.Evaluate(Runs(30), Runs(s_options.MinSamples), s_options);

        Assert.False(verdict.Flagged);
        Assert.True(verdict.Judged);
    }
}
