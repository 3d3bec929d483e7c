namespace Ingest.Storage.Retention;

/// <summary>
/// How many pages the next <c>PRAGMA incremental_vacuum(N)</c> may free so that one step fits its time budget.
/// The cost per page varies by two orders of magnitude (12 ms per 1000 pages after a 1M-row drop, ~500 ms after
/// a 5M-row drop), so it is measured, not assumed: after each step the page count moves toward what the last
/// step's rate says fits the budget, shrinking at once when a step overran and growing at most twofold.
/// Pure: it is handed the durations, and tested without a clock.
/// </summary>
public sealed class VacuumStepPolicy
{
    public const int MinPages = 8;
    public const int MaxPages = 65_536;
    public const int InitialPages = 64;

    private readonly TimeSpan _budget;

    public VacuumStepPolicy(TimeSpan budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero);
        _budget = budget;
    }

    /// <summary>Pages the next step may free.</summary>
    public int NextPages { get; private set; } = InitialPages;

    /// <summary>Feeds back one step: it freed <paramref name="pages"/> in <paramref name="elapsed"/>.</summary>
    public void Record(int pages, TimeSpan elapsed)
    {
        if (pages <= 0)
        {
            return;
        }

        double target;
        if (elapsed <= TimeSpan.Zero)
        {
            target = NextPages * 2.0;
        }
        else
        {
            // Aim a little under the budget so that noise does not push a step over it.
            var fits = pages * (_budget.TotalMilliseconds * 0.8 / elapsed.TotalMilliseconds);
            target = elapsed > _budget ? fits : Math.Min(fits, NextPages * 2.0);
        }

        NextPages = (int)Math.Clamp(target, MinPages, MaxPages);
    }
}
