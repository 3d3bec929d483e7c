using Ingest.Storage;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Tracking;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ingest.Endpoints;

/// <summary><c>/api/invocations</c>: one invocation by task id, and newest-first pages with filters.</summary>
public static class InvocationsApi
{
    public static IEndpointRouteBuilder MapInvocationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/invocations");
        api.MapGet("/{taskId}", GetInvocation).Takes().TimeLimited();
        api.MapGet("/", ListInvocations).Takes("q", "name", "name_contains", "state", "worker", "queue", "exception_type", "since", "until", "limit", "cursor").Admitted();
        app.MapGet("/api/in-flight", RunningApi.ListInFlight).Takes("limit", "name", "worker", "queue", "state", "sort").Admitted();
        return app;
    }

    /// <summary>
    /// From the tracker while the task is tracked (the freshest state), else from the store (SQLite or ClickHouse).
    /// On ClickHouse (issue 26) the store comes first: other instances may have seen the task's later events, and
    /// the tracker's run is shown only while it is newer than the rows every instance wrote.
    /// </summary>
    public static Results<Ok<InvocationView>, NotFound<ErrorView>> GetInvocation(
        string taskId, TaskTracker tracker, IInvocationStore reader, StorageStatus storage, Pipeline.PipelineOptions pipeline, IOptions<ClickHouseOptions> clickHouse)
    {
        var shared = clickHouse.Value.Enabled ? reader.Get(taskId) : null;
        if (tracker.TryGet(taskId) is { } live && (shared is null || SharedStore.IsNewer(live, shared)))
        {
            return TypedResults.Ok(InvocationView.From(live, "in_flight").WithRerun());
        }

        return (shared ?? reader.Get(taskId)) is { } stored
            ? TypedResults.Ok(InvocationView.From(stored, "stored", storage.DetailsDroppedThrough).WithDetailSample(pipeline.DetailSample).WithRerun())
            : TypedResults.NotFound(new ErrorView($"no invocation with task id '{taskId}'"));
    }

    /// <summary>
    /// A page of invocations, newest first, stored and in flight (issue 25: the tracker's unfinished runs pass the same
    /// filters and cursor, marked <c>in_flight</c>, each run once): at most <c>limit</c> rows, and no more than
    /// <see cref="PageBudget.DefaultMaxBytes"/> serialized (a page of rows with 32 KiB args ends early, with a cursor).
    /// </summary>
    public static Results<Ok<InvocationListView>, BadRequest<ErrorView>> ListInvocations(
        IInvocationStore reader,
        TaskTracker tracker,
        TimeProvider time,
        StorageStatus storage,
        IOptions<JsonOptions> json,
        IOptions<ClickHouseOptions> clickHouse,
        string? name = null,
        string? state = null,
        string? worker = null,
        string? since = null,
        string? until = null,
        string? limit = null,
        string? cursor = null,
        string? q = null,
        string? queue = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "exception_type")] string? exceptionType = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "name_contains")] string? nameContains = null)
    {
        // Qualifiers in q (state:FAILURE name:x 12345) become the filters; the rest is the value search.
        if (!SearchQualifiers.TryParse(q, out var qualified, out var qualifierError)
            // name: is a substring as Flower users type it (name:import finds shop.tasks.import_orders); name= stays exact.
            || !SearchQualifiers.TryMerge(nameContains, qualified, "name", out nameContains, out qualifierError)
            || !SearchQualifiers.TryMerge(state, qualified, "state", out state, out qualifierError)
            || !SearchQualifiers.TryMerge(worker, qualified, "worker", out worker, out qualifierError)
            || !SearchQualifiers.TryMerge(queue, qualified, "queue", out queue, out qualifierError)
            || !SearchQualifiers.TryMerge(exceptionType, qualified, "exception", out exceptionType, out qualifierError))
        {
            return TypedResults.BadRequest(new ErrorView(qualifierError!));
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            q = qualified.Text;
        }
        if (q is not null && !SearchText.TryParse(q, out _, out var searchError))
        {
            return TypedResults.BadRequest(new ErrorView(searchError!));
        }

        var normalizedState = state?.Trim().ToUpperInvariant();
        if (normalizedState is not null && !TaskStates.IsKnown(normalizedState))
        {
            return TypedResults.BadRequest(new ErrorView($"unknown state '{state}'; expected one of {string.Join(", ", TaskStates.All)}"));
        }

        var now = ApiTime.Now(time);
        if (!ApiTime.TryParse(since, now, out var sinceAt) || !ApiTime.TryParse(until, now, out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        if (!ApiQuery.TryLimit(limit, ApiQuery.DefaultLimit, InvocationQuery.MaxLimit, out var pageSize, out var limitError))
        {
            return TypedResults.BadRequest(new ErrorView(limitError));
        }

        PageCursor? after = null;
        if (cursor is not null && !PageCursor.TryDecode(cursor, out after))
        {
            return TypedResults.BadRequest(new ErrorView("cursor is not one this server gave out"));
        }

        var query = new InvocationQuery
        {
            Name = string.IsNullOrEmpty(name) ? null : name,
            NameContains = string.IsNullOrEmpty(nameContains) ? null : nameContains,
            State = normalizedState,
            Worker = string.IsNullOrEmpty(worker) ? null : worker,
            Queue = string.IsNullOrEmpty(queue) ? null : queue,
            ExceptionType = string.IsNullOrEmpty(exceptionType) ? null : exceptionType,
            Since = sinceAt,
            Until = untilAt,
            Limit = pageSize,
            After = after,
            Text = q,
        };
        // The tracker first: a run that finishes between the two reads is then found in one of them, not missed by both.
        // On ClickHouse (issue 26) the store alone: each instance's tracker holds only the events it was given, and
        // the checkpoint writes its unfinished runs to the store within a second, where every instance's rows merge.
        var filter = new InFlightFilter(query);
        var tracked = clickHouse.Value.Enabled ? [] : tracker.FindInFlight(filter.Matches, pageSize + 1);
        var page = reader.List(query);
        var (rows, next) = LivePageMerge.Merge(
            page, tracked, clickHouse.Value.Enabled ? SharedStore.NoneTracked : tracker.InFlightAmong(page.Items.Select(r => r.TaskId)), pageSize);
        var budget = new PageBudget(json.Value.SerializerOptions);
        var items = new List<InvocationView>(rows.Count);
        foreach (var row in rows)
        {
            var view = row.InFlight ? InvocationView.From(row.Record, "in_flight") : InvocationView.From(row.Record, "stored", storage.DetailsDroppedThrough);
            if (!budget.TryAdd(view))
            {
                // Escaped JSON can outgrow the reader's character budget: the page ends at the last row that fitted.
                next = LivePageMerge.CursorAt(rows[items.Count - 1].Record);
                break;
            }

            items.Add(view);
        }

        return TypedResults.Ok(new InvocationListView(items, next?.Encode())
        {
            Unsearched = q is null ? null : page.Unsearched,
        });
    }
}
