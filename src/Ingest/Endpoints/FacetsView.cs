namespace Ingest.Endpoints;

/// <summary>
/// The values a range can be narrowed by, each list the <see cref="FacetsApi.MaxValues"/> with the most runs (sorted by
/// name), and how many more there are.
/// </summary>
public sealed record FacetsView(string From, string To, IReadOnlyList<string> Queues, IReadOnlyList<string> WorkerGroups, IReadOnlyList<string> Names, IReadOnlyList<string> Workers)
{
    /// <summary>Queues with runs in the range that are not listed.</summary>
    public long QueuesOmitted { get; init; }

    /// <summary>Worker groups with runs in the range that are not listed.</summary>
    public long WorkerGroupsOmitted { get; init; }

    /// <summary>Task names with runs in the range that are not listed.</summary>
    public long NamesOmitted { get; init; }

    /// <summary>Known workers that are not listed.</summary>
    public long WorkersOmitted { get; init; }
}
