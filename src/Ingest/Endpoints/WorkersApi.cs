using Ingest.Tracking;

namespace Ingest.Endpoints;

/// <summary><c>/api/workers</c>: the worker table fed by worker-online/heartbeat/offline events.</summary>
public static class WorkersApi
{
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/workers", (WorkerRegistry workers) => TypedResults.Ok(new { items = workers.Snapshot() })).Takes();
        return app;
    }
}
