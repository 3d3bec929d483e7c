namespace Ingest.Insights.Objectives;

/// <summary>
/// One SLI of one task against its objective: the good and bad runs over the range asked for and over the objective's
/// window (ending where the range ends), and from them the burn rate and the budget left.
/// </summary>
/// <param name="Sli">success or latency.</param>
/// <param name="Target">The share of runs that must be good (0.999, or 0.95 for p95).</param>
public sealed record SliBudget(string Sli, double Target, long RangeGood, long RangeBad, long WindowGood, long WindowBad)
{
    /// <summary>
    /// How fast the range spent the budget: its error ratio over the ratio allowed (1 spends the window's budget in
    /// exactly the window; 14.4 spends a 30-day budget in about two days). Null with no runs in the range.
    /// </summary>
    public double? BurnRate => Ratio(RangeGood, RangeBad) is { } r ? r / (1 - Target) : null;

    /// <summary>
    /// The share of the window's error budget not yet spent: 1 with no bad runs, 0 when the bad runs are exactly the
    /// allowed share, negative past it. Null with no runs in the window.
    /// </summary>
    public double? BudgetLeft => Ratio(WindowGood, WindowBad) is { } r ? 1 - (r / (1 - Target)) : null;

    private static double? Ratio(long good, long bad) => good + bad > 0 ? (double)bad / (good + bad) : null;
}
