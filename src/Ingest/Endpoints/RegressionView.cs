using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record RegressionView(bool Flagged, IReadOnlyList<string> Reasons, FiguresView Recent, FiguresView Baseline, RegressionThresholdsView Thresholds)
{
    public static RegressionView Of(RegressionVerdict v, RegressionOptions o, double now) => new(
        v.Flagged, v.Reasons, FiguresView.Of(v.Recent, now), FiguresView.Of(v.Baseline, now),
        new RegressionThresholdsView(o.P95Factor, o.FailureRateFactor, o.MinFailureRateIncrease, o.MinSamples));
}
