namespace Ingest.Endpoints.Flower;

/// <summary>The audited action of each Flower control route (Flower's own operation names), and the path each is posted to.</summary>
public static class FlowerActions
{
    public const string Revoke = "task.revoke";
    public const string RateLimit = "task.rate_limit";
    public const string TimeLimit = "task.time_limit";
    public const string PoolGrow = "worker.pool_grow";
    public const string PoolShrink = "worker.pool_shrink";
    public const string Autoscale = "worker.pool_autoscale";
    public const string PoolRestart = "worker.pool_restart";
    public const string AddConsumer = "worker.queue_add_consumer";
    public const string CancelConsumer = "worker.queue_cancel_consumer";
    public const string Shutdown = "worker.shutdown";
    public const string SendTask = "task.send_task";
    public const string AsyncApply = "task.async_apply";

    /// <summary>Each broker command route: its path under <c>/flower</c> (the last segment is the target) and its action.</summary>
    public static readonly (string Path, string Action)[] CommandRoutes =
    [
        ("/api/task/revoke/{target}", Revoke),
        ("/api/task/rate-limit/{target}", RateLimit),
        ("/api/task/timeout/{target}", TimeLimit),
        ("/api/worker/pool/grow/{target}", PoolGrow),
        ("/api/worker/pool/shrink/{target}", PoolShrink),
        ("/api/worker/pool/autoscale/{target}", Autoscale),
        ("/api/worker/pool/restart/{target}", PoolRestart),
        ("/api/worker/queue/add-consumer/{target}", AddConsumer),
        ("/api/worker/queue/cancel-consumer/{target}", CancelConsumer),
        ("/api/worker/shutdown/{target}", Shutdown),
    ];
}
