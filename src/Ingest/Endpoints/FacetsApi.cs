using Ingest.Insights;
using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;
using Ingest.Tracking;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary><c>/api/facets</c>: what a range can be narrowed by (mapped with the insights routes).</summary>
public static class FacetsApi
{
    /// <summary>
    /// Values each facet lists at most: those with the most runs. A day keeps up to 10,000 task names, and a client
    /// inventing names filled the list with all of them (issue 24).
    /// </summary>
    public const int MaxValues = 1000;

    /// <summary>The queues, worker groups and task names with runs in the range (from the rollups), and the workers known now.</summary>
    public static Results<Ok<FacetsView>, BadRequest<ErrorView>> ListFacets(
        TaskInsights insights, IRollupRanks ranks, WorkerRegistry workers, TimeProvider time, string? since = null, string? until = null)
    {
        if (!InsightsApi.TryRange(insights, ApiTime.Now(time), since, until, out var from, out var to, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        var queues = ranks.TopQueues(from, to, MaxValues);
        var groups = ranks.TopWorkerGroups(from, to, MaxValues);
        var names = ranks.TopNames(from, to, MaxValues);
        var known = workers.Snapshot();
        return TypedResults.Ok(new FacetsView(
            ApiTime.Format(from)!, ApiTime.Format(to)!, Sorted(queues), Sorted(groups), Sorted(names), [.. known.Take(MaxValues).Select(w => w.Hostname)])
        {
            QueuesOmitted = Omitted(queues),
            WorkerGroupsOmitted = Omitted(groups),
            NamesOmitted = Omitted(names),
            WorkersOmitted = Math.Max(0, known.Count - MaxValues),
        });
    }

    private static List<string> Sorted(RankedPage<RankedName> page) => [.. page.Items.Select(r => r.Name).Order(StringComparer.Ordinal)];

    private static long Omitted(RankedPage<RankedName> page) => Math.Max(0, page.Total - page.Items.Count);
}
