using Ingest.Storage;
using Ingest.Tracking;

namespace Ingest.Endpoints;

/// <summary><c>/api/workers</c>: the worker table fed by worker-online/heartbeat/offline events, times in ISO 8601.</summary>
public static class WorkersApi
{
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/workers", (WorkerRegistry workers, WorkerGroups groups) =>
            TypedResults.Ok(new WorkerListView([.. workers.Snapshot().Select(w => WorkerView.Of(w, groups.Of(w.Hostname)))]))).Takes();
        return app;
    }
}
