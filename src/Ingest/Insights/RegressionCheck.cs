using System.Globalization;
using Ingest.Insights.Objectives;

namespace Ingest.Insights;

/// <summary>Pure: compares two windows' figures by the configured factors; no I/O, no clock.</summary>
public static class RegressionCheck
{
    /// <summary>
    /// The verdict on the recent window. Where the task has an objective, what it sets is the bar instead of the
    /// baseline: a success-rate objective flags a recent failure rate past what it allows, a runtime objective a recent
    /// percentile past its threshold (a task that was always slow is then flagged, and one that got slower but stays
    /// within its objective is not). What it does not set is still compared with the baseline.
    /// </summary>
    public static RegressionVerdict Evaluate(Window recent, Window baseline, RegressionOptions options, TaskObjective? objective = null)
    {
        var reasons = new List<string>();
        var r = recent.Figures;
        var b = baseline.Figures;
        if (objective?.Latency is { QueueWait: false } latency)
        {
            if (r.RuntimeCount >= options.MinSamples && r.Quantile(latency.Target) is { } rq && rq > latency.Seconds)
            {
                var p = latency.Percentile.ToString("0.###", CultureInfo.InvariantCulture);
                reasons.Add($"p{p} runtime {Seconds(rq)} is over the objective's {Seconds(latency.Seconds)} (objective {objective.Name})");
            }
        }
        else if (r.RuntimeCount >= options.MinSamples && b.RuntimeCount >= options.MinSamples
            && r.P95 is { } rp && b.P95 is { } bp && rp > bp * options.P95Factor)
        {
            reasons.Add($"p95 runtime {Seconds(rp)} is {rp / bp:0.0}x the baseline's {Seconds(bp)} (threshold {options.P95Factor:0.##}x)");
        }

        var rFinished = r.Succeeded + r.Failed;
        var bFinished = b.Succeeded + b.Failed;
        if (objective?.SuccessRate is { } target)
        {
            if (rFinished >= options.MinSamples && r.FailureRate is { } rf && rf > 1 - target)
            {
                reasons.Add($"failure rate {rf:P1} is over the {1 - target:0.###%} the objective allows (objective {objective.Name}, success rate {target:0.###%})");
            }
        }
        else if (rFinished >= options.MinSamples && bFinished >= options.MinSamples
            && r.FailureRate is { } rf && b.FailureRate is { } bf
            && rf - bf >= options.MinFailureRateIncrease && rf >= bf * options.FailureRateFactor)
        {
            reasons.Add($"failure rate {rf:P1} against the baseline's {bf:P1} (threshold {options.FailureRateFactor:0.##}x and +{options.MinFailureRateIncrease:P0})");
        }

        // Either comparison with enough samples on both sides is a judgement; neither is only "not enough data".
        var judged = (r.RuntimeCount >= options.MinSamples && b.RuntimeCount >= options.MinSamples)
            || (rFinished >= options.MinSamples && bFinished >= options.MinSamples);
        return new RegressionVerdict(reasons.Count > 0, reasons, recent, baseline, judged);
    }

    private static string Seconds(double s) => s < 1 ? $"{s * 1000:0.#} ms" : $"{s:0.##} s";
}
