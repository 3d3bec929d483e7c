using Ingest.Web;
using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>One bucket of a task's series: runs, failures and percentiles of runtime and of the two waits.</summary>
public sealed record SeriesPointView(string From, string To, long Total, long Failed, double? FailureRate, double? P50S, double? P95S, double? P99S, double? QueueWaitP95S, double? PickupP95S)
{
    public static SeriesPointView Of(Window w) => new(
        ApiTime.Format(w.From)!, ApiTime.Format(w.To)!, w.Figures.Total, w.Figures.Failed, w.Figures.FailureRate,
        w.Figures.P50, w.Figures.P95, w.Figures.P99, w.Figures.QueueWait?.P95, w.Figures.Pickup?.P95)
    {
        Partial = w.Partial,
    };

    /// <summary>A bucket cut short by the range or still in progress (drawn as partial, not as a drop).</summary>
    public bool Partial { get; init; }
}
