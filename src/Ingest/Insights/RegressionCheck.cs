namespace Ingest.Insights;

/// <summary>Pure: compares two windows' figures by the configured factors; no I/O, no clock.</summary>
public static class RegressionCheck
{
    public static RegressionVerdict Evaluate(Window recent, Window baseline, RegressionOptions options)
    {
        var reasons = new List<string>();
        var r = recent.Figures;
        var b = baseline.Figures;
        if (r.RuntimeCount >= options.MinSamples && b.RuntimeCount >= options.MinSamples
            && r.P95 is { } rp && b.P95 is { } bp && rp > bp * options.P95Factor)
        {
            reasons.Add($"p95 runtime {Seconds(rp)} is {rp / bp:0.0}x the baseline's {Seconds(bp)} (threshold {options.P95Factor:0.##}x)");
        }

        var rFinished = r.Succeeded + r.Failed;
        var bFinished = b.Succeeded + b.Failed;
        if (rFinished >= options.MinSamples && bFinished >= options.MinSamples
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
