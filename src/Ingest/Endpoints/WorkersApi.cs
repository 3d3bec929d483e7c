using Ingest.Storage;
using Ingest.Storage.Reading;
using Ingest.Tracking;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ingest.Endpoints;

/// <summary><c>/api/workers</c>: the worker table fed by worker-online/heartbeat/offline events, times in ISO 8601.</summary>
public static class WorkersApi
{
    /// <summary>Workers on one page when the caller does not say (and at most): the table keeps up to <c>MaxWorkers</c>, 10,000 by default.</summary>
    public const int MaxPage = 1000;

    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/workers", List).Takes("limit", "cursor");
        return app;
    }

    /// <summary>Workers by name, a page at a time: at most <c>limit</c> and <see cref="PageBudget.DefaultMaxBytes"/>, with <c>next_cursor</c> for the rest.</summary>
    public static Results<Ok<WorkerListView>, BadRequest<ErrorView>> List(
        WorkerRegistry workers, WorkerGroups groups, IOptions<JsonOptions> json, string? limit = null, string? cursor = null)
    {
        if (!ApiQuery.TryLimit(limit, MaxPage, MaxPage, out var pageSize, out var error))
        {
            return TypedResults.BadRequest(new ErrorView(error));
        }

        PageCursor? after = null;
        if (cursor is not null && !PageCursor.TryDecode(cursor, out after))
        {
            return TypedResults.BadRequest(new ErrorView("cursor is not one this server gave out"));
        }

        // The snapshot is ordered by hostname: a page starts after the last one of the page before.
        var all = workers.Snapshot();
        var budget = new PageBudget(json.Value.SerializerOptions);
        var items = new List<WorkerView>();
        string? next = null;
        foreach (var w in all.Where(w => after is null || string.CompareOrdinal(w.Hostname, after.TaskId) > 0))
        {
            var view = WorkerView.Of(w, groups.Of(w.Hostname));
            if (items.Count == pageSize || !budget.TryAdd(view))
            {
                next = new PageCursor(0, items[^1].Hostname).Encode();
                break;
            }

            items.Add(view);
        }

        return TypedResults.Ok(new WorkerListView(items) { NextCursor = next, Total = all.Count });
    }
}
