namespace Ingest.Endpoints;

/// <summary>
/// One task against its objective: the fastest burn of its SLIs over the range, the least budget left over the window,
/// <c>burning</c> when the range spends the budget faster than the window allows (burn rate over 1), and each SLI.
/// </summary>
public sealed record TaskBudgetView(string Name, string Objective, double? BurnRate, double? BudgetLeft, bool Burning, IReadOnlyList<SliBudgetView> Slis);
