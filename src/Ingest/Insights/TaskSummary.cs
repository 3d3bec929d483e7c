
namespace Ingest.Insights;

public sealed record TaskSummary(string Name, Window Range, IReadOnlyList<Window> Series, RegressionVerdict Regression);
