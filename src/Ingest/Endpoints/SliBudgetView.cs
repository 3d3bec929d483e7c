namespace Ingest.Endpoints;

/// <summary>
/// One SLI (success or latency) of a task: its target, the burn rate over the range (its error ratio over the one
/// allowed), the share of the window's budget left (negative once spent), and the good and bad runs counted for each.
/// </summary>
public sealed record SliBudgetView(string Sli, double Target, double? BurnRate, double? BudgetLeft, long RangeGood, long RangeBad, long WindowGood, long WindowBad);
