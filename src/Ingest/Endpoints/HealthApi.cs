using Ingest.Web;
using Ingest.Diagnostics;

namespace Ingest.Endpoints;

/// <summary>
/// Probes. All three read cached state only (no SQLite, no locks held by the writer):
/// <c>/healthz</c> is the full report (503 only when failing), <c>/healthz/live</c> is for liveness (the process
/// and flush loop are alive), <c>/healthz/ready</c> for readiness (it can take and serve traffic; degraded is still ready).
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (IngestStatus status) =>
        {
            var (health, body) = status.Report();
            return Results.Json(body, statusCode: health.IsFailing ? 503 : 200);
        }).AllowAnonymous(); // Probes need no credential: the kubelet has none, and the bodies carry counts, never task data.
        app.MapGet("/healthz/live", (IngestStatus status) =>
        {
            var health = status.Evaluate();
            return Results.Json(new { status = health.Status, reasons = health.Reasons }, statusCode: health.IsFailing ? 503 : 200);
        }).AllowAnonymous();
        app.MapGet("/healthz/ready", (IngestStatus status) =>
        {
            var ready = status.Readiness();
            if (!ready.IsOk)
            {
                return Results.Json(new { ready = false, reasons = ready.Reasons }, statusCode: 503);
            }

            // Ready, and still truthful about being degraded.
            var health = status.Evaluate();
            return Results.Json(new { ready = true, status = health.Status, reasons = health.Reasons });
        }).AllowAnonymous();
        app.MapGet("/api/ingest", (IngestStatus status) => Results.Json(status.Report().Body)).Takes();
        return app;
    }
}
