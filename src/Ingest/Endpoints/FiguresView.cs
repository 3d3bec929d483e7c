using Ingest.Web;
using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>One window's figures, with its exact bounds so nothing is labelled more recent than it is.</summary>
public sealed record FiguresView(
    string From, string To, long Total, IReadOnlyDictionary<string, long> States, long Succeeded, long Failed,
    double? FailureRate, double RatePerMin, RuntimeView Runtime, RuntimeView? QueueWait, RuntimeView? Pickup)
{
    public static FiguresView Of(Window w, double now)
    {
        var f = w.Figures;
        // A window still running is averaged over the minutes that have passed, not its full length.
        var minutes = Math.Max(1.0 / 60, (Math.Min(w.To, now) - w.From) / 60);
        return new FiguresView(
            ApiTime.Format(w.From)!, ApiTime.Format(w.To)!, f.Total, f.States(), f.Succeeded, f.Failed, f.FailureRate,
            Math.Round(f.Total / minutes, 3), new RuntimeView(f.RuntimeCount, f.Mean, f.P50, f.P95, f.P99), RuntimeView.Of(f.QueueWait), RuntimeView.Of(f.Pickup))
        {
            Partial = w.Partial,
        };
    }

    /// <summary>A series bucket cut short by the range or still in progress (drawn as partial, not as a drop).</summary>
    public bool Partial { get; init; }
}
