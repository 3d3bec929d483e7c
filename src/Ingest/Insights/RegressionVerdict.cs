namespace Ingest.Insights;

/// <summary>The verdict on one task: its recent window against its baseline, with the reasons in words.</summary>
public sealed record RegressionVerdict(bool Flagged, IReadOnlyList<string> Reasons, Window Recent, Window Baseline);
