namespace Ingest.Endpoints;

/// <summary>The answer of <c>/api/in-flight</c>: a bounded page of unfinished runs, and what all of them count.</summary>
/// <param name="Items">The runs, oldest first (or newest first with <c>sort=newest</c>).</param>
/// <param name="Counts">Every unfinished run passing the name, worker and queue filters, by state; <c>ETA</c> counts the received runs waiting on an ETA.</param>
/// <param name="Total">The sum of <paramref name="Counts"/>'s runs in the state asked for (all states when none).</param>
/// <param name="StuckFactor">The factor of the p99 past which a started run is stuck (<c>--stuck-factor</c>).</param>
public sealed record RunningListView(IReadOnlyList<RunningView> Items, IReadOnlyDictionary<string, int> Counts, int Total, double StuckFactor);
