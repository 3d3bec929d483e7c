using System.Globalization;
using Ingest.Tracking;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// Each Flower control route's command, read from its parameters as Flower 2.1's handlers read them (the same names,
/// defaults, messages and refusals), for the worker or task the path names.
/// </summary>
internal static class FlowerControlPlans
{
    /// <summary>The plan of <paramref name="action"/> for <paramref name="target"/>; a refusal when a parameter or the worker is wrong.</summary>
    public static ControlPlan For(string action, string target, FlowerArgs args, WorkerRegistry workers, Control.ControlOptions options)
    {
        switch (action)
        {
            case FlowerActions.Revoke:
                return Revoke(target, args);
            case FlowerActions.RateLimit or FlowerActions.TimeLimit:
                return TaskLimit(action, target, args, workers);
        }

        // Every other route names a worker in its path, which Flower refuses with 404 when it does not know it.
        if (!IsKnown(workers, target))
        {
            return ControlPlan.Refuse(StatusCodes.Status404NotFound, $"Unknown worker '{target}'");
        }

        return action switch
        {
            FlowerActions.PoolGrow or FlowerActions.PoolShrink => PoolSize(action, target, args),
            FlowerActions.Autoscale => Autoscale(target, args),
            FlowerActions.PoolRestart => ControlPlan.Send("pool_restart", new() { ["reload"] = false }, target,
                ControlPlan.OkOr(target, _ => $"Restarting '{target}' worker's pool", $"Failed to restart the '{target}' pool")),
            FlowerActions.AddConsumer or FlowerActions.CancelConsumer => Consumer(action, target, args),
            FlowerActions.Shutdown => options.AllowShutdown
                ? ControlPlan.Send("shutdown", [], target, _ => (true, "Shutting down!"), expectReply: false)
                : ControlPlan.Refuse(StatusCodes.Status403Forbidden, "shutting workers down is off: start Ingest with --allow-shutdown"),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not a control action"),
        };
    }

    private static ControlPlan Revoke(string taskId, FlowerArgs args)
    {
        if (!args.TryFlag("terminate", false, out var terminate, out var error))
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error);
        }

        var signal = args.Text("signal") is { Length: > 0 } s ? s : "SIGTERM";
        // Flower answers "Revoked" whatever the workers say (revoke is recorded by every worker, running the task or not).
        return ControlPlan.Send("revoke", new() { ["task_id"] = taskId, ["terminate"] = terminate, ["signal"] = signal }, null,
            _ => (true, $"Revoked '{taskId}'"));
    }

    private static ControlPlan TaskLimit(string action, string taskName, FlowerArgs args, WorkerRegistry workers)
    {
        if (!args.TryRequired("workername", out var worker, out var error))
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error);
        }

        if (!IsKnown(workers, worker))
        {
            return ControlPlan.Refuse(StatusCodes.Status404NotFound, $"Unknown worker '{worker}'");
        }

        if (action == FlowerActions.RateLimit)
        {
            if (!args.TryRequired("ratelimit", out var rate, out error))
            {
                return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error);
            }

            return ControlPlan.Send("rate_limit", new() { ["task_name"] = taskName, ["rate_limit"] = rate }, worker,
                ControlPlan.OkOr(worker, ok => ok, "Failed to set rate limit"));
        }

        if (!args.TryNumber("soft", out var soft, out error) || !args.TryNumber("hard", out var hard, out error))
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error);
        }

        return ControlPlan.Send("time_limit", new() { ["task_name"] = taskName, ["soft"] = soft, ["hard"] = hard }, worker,
            ControlPlan.OkOr(worker, ok => ok, "Failed to set timeouts"));
    }

    private static ControlPlan PoolSize(string action, string worker, FlowerArgs args)
    {
        if (!args.TryInt("n", 1, out var n, out var error) || n < 1)
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error.Length > 0 ? error : "n must be 1 or more");
        }

        var grow = action == FlowerActions.PoolGrow;
        var count = n.ToString(CultureInfo.InvariantCulture);
        return ControlPlan.Send(grow ? "pool_grow" : "pool_shrink", new() { ["n"] = n }, worker, grow
            ? ControlPlan.OkOr(worker, _ => $"Growing '{worker}' worker's pool by {count}", $"Failed to grow '{worker}' worker's pool")
            : ControlPlan.OkOr(worker, _ => $"Shrinking '{worker}' worker's pool by {count}", $"Failed to shrink '{worker}' worker's pool"));
    }

    private static ControlPlan Autoscale(string worker, FlowerArgs args)
    {
        if (!args.TryInt("min", null, out var min, out var error) || !args.TryInt("max", null, out var max, out error))
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error);
        }

        if (min < 0 || max < min)
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, "min and max must satisfy 0 <= min <= max");
        }

        return ControlPlan.Send("autoscale", new() { ["min"] = min, ["max"] = max }, worker,
            ControlPlan.OkOr(worker, _ => string.Create(CultureInfo.InvariantCulture, $"Autoscaling '{worker}' worker (min={min}, max={max})"), $"Failed to autoscale '{worker}' worker"));
    }

    private static ControlPlan Consumer(string action, string worker, FlowerArgs args)
    {
        if (!args.TryRequired("queue", out var queue, out var error))
        {
            return ControlPlan.Refuse(StatusCodes.Status400BadRequest, error);
        }

        var add = action == FlowerActions.AddConsumer;
        return ControlPlan.Send(add ? "add_consumer" : "cancel_consumer", new() { ["queue"] = queue }, worker, add
            ? ControlPlan.OkOr(worker, ok => ok, $"Failed to add '{queue}' consumer to '{worker}' worker")
            : ControlPlan.OkOr(worker, ok => ok, $"Failed to cancel '{queue}' consumer from '{worker}' worker"));
    }

    private static bool IsKnown(WorkerRegistry workers, string name) => workers.Snapshot().Any(w => w.Hostname == name);
}
