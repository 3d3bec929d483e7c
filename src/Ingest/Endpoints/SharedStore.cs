using Ingest.Storage;
using Ingest.Storage.ClickHouse;

namespace Ingest.Endpoints;

/// <summary>
/// How the API weighs one instance's tracker against a store that several instances share (ClickHouse, issue 26):
/// the store's merged rows hold what every instance saw, the tracker only the events this instance was given.
/// </summary>
internal static class SharedStore
{
    /// <summary>No task is shown from the tracker in place of its stored row.</summary>
    public static readonly IReadOnlySet<string> NoneTracked = new HashSet<string>();

    /// <summary>
    /// Whether the tracker's <paramref name="live"/> run is past the store's <paramref name="stored"/> merge: a later
    /// state time, or the same one further along the lifecycle. A run another instance finished is never.
    /// </summary>
    public static bool IsNewer(InvocationRecord live, InvocationRecord stored) =>
        live.StateAt > stored.StateAt
        || (live.StateAt == stored.StateAt && ClickHouseLifecycle.Rank(live.State) > ClickHouseLifecycle.Rank(stored.State));
}
