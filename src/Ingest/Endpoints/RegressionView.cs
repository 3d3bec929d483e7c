using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>A regression verdict as the API answers it; <c>judged</c> is false when there was not enough data to compare.</summary>
public sealed record RegressionView(bool Flagged, bool Judged, IReadOnlyList<string> Reasons, FiguresView Recent, FiguresView Baseline, RegressionThresholdsView Thresholds)
{
    /// <summary>The view of <paramref name="v"/>, with the thresholds it was judged by.</summary>
    public static RegressionView Of(RegressionVerdict v, RegressionOptions o, double now) => new(
        v.Flagged, v.Judged, v.Reasons, FiguresView.Of(v.Recent, now), FiguresView.Of(v.Baseline, now),
        new RegressionThresholdsView(o.P95Factor, o.FailureRateFactor, o.MinFailureRateIncrease, o.MinSamples));
}
