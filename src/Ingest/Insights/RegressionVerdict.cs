namespace Ingest.Insights;

/// <summary>The verdict on one task: its recent window against its baseline, with the reasons in words.</summary>
/// <param name="Flagged">True when a threshold was crossed.</param>
/// <param name="Reasons">Each crossed threshold in words.</param>
/// <param name="Recent">The window judged.</param>
/// <param name="Baseline">The window it is judged against.</param>
/// <param name="Judged">
/// True when both windows held enough runs for at least one comparison: without it, "no regression" would claim a
/// check that never ran (issue 25: a task with no baseline).
/// </param>
public sealed record RegressionVerdict(bool Flagged, IReadOnlyList<string> Reasons, Window Recent, Window Baseline, bool Judged);
