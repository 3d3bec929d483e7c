namespace Ingest.Insights.Objectives;

/// <summary>A task's objective and the state of each of its SLIs; the worst of them sorts it.</summary>
public sealed record TaskBudget(string Task, TaskObjective Objective, IReadOnlyList<SliBudget> Slis)
{
    /// <summary>The fastest burn of its SLIs over the range; null when none ran.</summary>
    public double? BurnRate => Slis.Max(s => s.BurnRate);

    /// <summary>The least budget left of its SLIs; null when none ran in the window.</summary>
    public double? BudgetLeft => Slis.Min(s => s.BudgetLeft);
}
