
namespace Ingest.Insights;

/// <summary>The facets a rollup question is narrowed to: a queue, a worker group, both or neither.</summary>
public sealed record Facets(string? Queue, string? WorkerGroup)
{
    public static readonly Facets None = new(null, null);

    public bool Any => Queue is not null || WorkerGroup is not null;
}
