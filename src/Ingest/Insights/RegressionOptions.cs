using System.ComponentModel.DataAnnotations;

namespace Ingest.Insights;

/// <summary>
/// When a task is flagged as regressed: its recent window against the window before it, from the hourly
/// rollups. Section <c>Ingest:Regression</c>.
/// </summary>
public sealed class RegressionOptions
{
    /// <summary>The recent window, in whole hours ending with the current hour.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "7.00:00:00")]
    public TimeSpan Recent { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The baseline: the whole hours just before the recent window.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")]
    public TimeSpan Baseline { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Flag when the recent p95 runtime exceeds the baseline's by this factor.</summary>
    [Range(1.01, 1000)]
    public double P95Factor { get; set; } = 1.5;

    /// <summary>Flag when the recent failure rate exceeds the baseline's by this factor...</summary>
    [Range(1.01, 1000)]
    public double FailureRateFactor { get; set; } = 2.0;

    /// <summary>...and by at least this much in absolute terms (0.02 = two points), so 0.1% to 0.3% is not an alarm.</summary>
    [Range(0, 1)]
    public double MinFailureRateIncrease { get; set; } = 0.02;

    /// <summary>Runs each window needs before it is compared at all.</summary>
    [Range(1, 1_000_000)]
    public int MinSamples { get; set; } = 20;
}
