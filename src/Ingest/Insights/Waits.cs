
namespace Ingest.Insights;

/// <summary>A wait's count, mean and percentiles, seconds.</summary>
public sealed record Waits(long Count, double Mean, double? P50, double? P95, double? P99);
