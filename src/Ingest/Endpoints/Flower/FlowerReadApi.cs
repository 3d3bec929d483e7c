using System.Globalization;
using Ingest.Control;
using Ingest.Security;
using Ingest.Sources.Queues;
using Ingest.Storage.Reading;
using Ingest.Storage.Rollups;
using Ingest.Tracking;
using Ingest.Web;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// The Flower reads scripts use, under <c>/flower</c> with Flower 2.1's parameters and shapes: workers (live
/// inspections through <see cref="IFleetControl"/>), tasks and one task (stored and in flight), task types and
/// queue lengths. Behind the read role, like every read.
/// </summary>
public static class FlowerReadApi
{
    /// <summary>Most tasks one list returns (Flower has no cap; Ingest keeps millions).</summary>
    public const int MaxTasks = InvocationQuery.MaxLimit;

    /// <summary>The inspections each worker's entry carries, as Flower's <c>update_workers</c> runs them.</summary>
    public static readonly string[] Inspections = ["stats", "active_queues", "registered", "active", "reserved", "scheduled", "revoked", "conf"];

    public static IEndpointRouteBuilder MapFlowerReadApi(this IEndpointRouteBuilder app)
    {
        var prefix = FlowerControlApi.Prefix;
        app.MapGet(prefix + "/api/workers", WorkersAsync).RequireAuthorization(AuthSettings.ReadPolicy);
        app.MapGet(prefix + "/api/tasks", Tasks).RequireAuthorization(AuthSettings.ReadPolicy);
        app.MapGet(prefix + "/api/task/info/{taskId}", TaskInfo).RequireAuthorization(AuthSettings.ReadPolicy);
        app.MapGet(prefix + "/api/task/types", TaskTypes).RequireAuthorization(AuthSettings.ReadPolicy);
        app.MapGet(prefix + "/api/queues/length", (QueueLengths queues) => Results.Json(new Dictionary<string, object>
        {
            ["active_queues"] = queues.Latest().Where(q => q.Reading.Exists)
                .Select(q => new Dictionary<string, object> { ["name"] = q.Queue, ["messages"] = q.Reading.Length }).ToList(),
        })).RequireAuthorization(AuthSettings.ReadPolicy);
        return app;
    }

    /// <summary>
    /// <c>status</c>: each known worker's liveness. Otherwise each worker's inspections, live (Ingest keeps no copy, so
    /// <c>refresh</c> is always so), for every worker or <c>workername</c>.
    /// </summary>
    private static async Task<IResult> WorkersAsync(HttpContext http, WorkerRegistry registry, string? refresh = null, string? status = null, string? workername = null)
    {
        var known = registry.Snapshot();
        if (Flag(status))
        {
            return Results.Json(known.ToDictionary(w => w.Hostname, w => w.Status == "online"));
        }

        if (workername is { Length: > 0 } && known.All(w => w.Hostname != workername))
        {
            return Results.Json(new ErrorView($"Unknown worker '{workername}'"), statusCode: StatusCodes.Status404NotFound);
        }

        if (http.RequestServices.GetService<IFleetControl>() is not { Available: true } fleet)
        {
            return Results.Json(new ErrorView("Failed to update workers: no broker is configured to inspect workers through (--broker)"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var timeout = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ControlOptions>>().Value.Timeout;
        IReadOnlyList<string>? destination = workername is { Length: > 0 } ? [workername] : null;
        ControlResult[] results;
        try
        {
            results = await Task.WhenAll(Inspections.Select(command => fleet.SendAsync(
                new ControlRequest(command, new Dictionary<string, object?>(), destination, timeout), http.RequestAborted)));
        }
        catch (ControlUnavailableException e)
        {
            return Results.Json(new ErrorView($"Failed to update workers: {e.Message}"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var workers = new SortedDictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        for (var i = 0; i < Inspections.Length; i++)
        {
            foreach (var reply in results[i].Replies)
            {
                if (!workers.TryGetValue(reply.Worker, out var entry))
                {
                    workers[reply.Worker] = entry = new Dictionary<string, object?> { ["timestamp"] = now };
                }

                entry[Inspections[i]] = reply.Body;
            }
        }

        return Results.Json(workers);
    }

    /// <summary>Tasks newest first, stored and in flight, filtered and paged as Flower's <c>iter_tasks</c>: <c>{id: task}</c>.</summary>
    private static IResult Tasks(
        IInvocationStore reader, TaskTracker tracker, string? limit = null, string? offset = null, string? sort_by = null, string? workername = null,
        string? taskname = null, string? state = null, string? received_start = null, string? received_end = null, string? search = null)
    {
        var take = MaxTasks;
        var skip = 0;
        if ((limit is { Length: > 0 } && (!int.TryParse(limit, CultureInfo.InvariantCulture, out take) || take < 0))
            || (offset is { Length: > 0 } && !int.TryParse(offset, CultureInfo.InvariantCulture, out skip)))
        {
            return Results.Json(new ErrorView("limit and offset must be whole numbers"), statusCode: StatusCodes.Status400BadRequest);
        }

        if (!TryFlowerTime(received_start, out var from) || !TryFlowerTime(received_end, out var to))
        {
            return Results.Json(new ErrorView("received_start and received_end take Flower's 'YYYY-MM-DD HH:MM'"), statusCode: StatusCodes.Status400BadRequest);
        }

        skip = Math.Max(skip, 0);
        take = Math.Min(take, MaxTasks);
        var query = new InvocationQuery { Name = All(taskname), Worker = All(workername), State = All(state), Text = search, Limit = Math.Min(MaxTasks, skip + take + 1) };
        var stored = reader.List(query).Items;
        // The tracker's unfinished runs pass the same filters as the stored ones (issue 25's filter), the text search included.
        var inFlight = tracker.FindInFlight(new InFlightFilter(query).Matches, MaxTasks);
        var merged = inFlight.Concat(stored).DistinctBy(r => r.TaskId)
            .Where(r => (from is null || r.ReceivedAt >= from) && (to is null || r.ReceivedAt < to));
        merged = Sort(merged, sort_by);
        // Flower's OrderedDict: the keys in the list's order (a dictionary only added to keeps insertion order).
        var page = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var r in merged.Skip(skip).Take(take))
        {
            page[r.TaskId] = FlowerTaskView.Of(r);
        }

        return Results.Json(page);
    }

    private static IResult TaskInfo(string taskId, IInvocationStore reader, TaskTracker tracker) =>
        (tracker.TryGet(taskId) ?? reader.Get(taskId)) is { } task
            ? Results.Json(FlowerTaskView.Of(task, "task-id"))
            : Results.Json(new ErrorView($"Unknown task '{taskId}'"), statusCode: StatusCodes.Status404NotFound);

    /// <summary>Task names seen in the retention window (the hourly rollups), and those in flight.</summary>
    private static IResult TaskTypes(IRollupRanks ranks, TaskTracker tracker, TimeProvider time)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var names = ranks.TopNames(0, now + 86_400, MaxTasks).Items.Select(n => n.Name)
            .Concat(tracker.FindInFlight(_ => true, MaxTasks).Select(r => r.Name).OfType<string>())
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return Results.Json(new Dictionary<string, object> { ["task-types"] = names });
    }

    private static IEnumerable<Storage.InvocationRecord> Sort(IEnumerable<Storage.InvocationRecord> tasks, string? sortBy)
    {
        var descending = sortBy?.StartsWith('-') == true;
        Func<Storage.InvocationRecord, object?>? key = sortBy?.TrimStart('-') switch
        {
            "name" => r => r.Name,
            "state" => r => r.State,
            "received" => r => r.ReceivedAt,
            "started" => r => r.StartedAt,
            "runtime" => r => r.RuntimeSeconds,
            "worker" => r => r.Worker,
            _ => null,
        };
        if (key is null)
        {
            return tasks.OrderByDescending(r => r.StateAt);
        }

        return descending ? tasks.OrderByDescending(key) : tasks.OrderBy(key);
    }

    private static string? All(string? value) => value is null or "" or "All" ? null : value;

    private static bool Flag(string? text) => text?.ToLowerInvariant() is "true" or "1" or "yes" or "y" or "on" or "t";

    private static bool TryFlowerTime(string? text, out double? unixSeconds)
    {
        unixSeconds = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm"], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return false;
        }

        unixSeconds = time.ToUnixTimeMilliseconds() / 1000.0;
        return true;
    }
}
