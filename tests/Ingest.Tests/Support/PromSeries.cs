namespace Ingest.Tests.Support;

/// <summary>One series of a Prometheus range query's answer: its labels and its (Unix seconds, value) points.</summary>
internal sealed record PromSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(double At, double Value)> Points);
