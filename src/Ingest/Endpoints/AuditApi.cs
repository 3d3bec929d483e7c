using Ingest.Storage.Audit;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>
/// <c>GET /api/audit</c> (issue 27): the control actions and refusals, newest first, a page at a time. Readers may list
/// it: who acted on the fleet is for everyone who watches it, and it shows nothing a reader does not already see
/// (task ids, names, workers, the arguments of commands).
/// </summary>
public static class AuditApi
{
    /// <summary>Entries on a page when the caller does not say.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The range listed when the caller gives none: the last 7 days (the default retention).</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(7);

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", List).Takes("since", "until", "user", "action", "limit", "cursor");
        return app;
    }

    /// <summary>Entries from <c>since</c> (default 7 days ago) to <c>until</c> (default now), optionally of one user and one action.</summary>
    public static Results<Ok<AuditListView>, BadRequest<ErrorView>> List(
        IAuditStore reader, TimeProvider time, string? since = null, string? until = null, string? user = null, string? action = null, string? limit = null, string? cursor = null)
    {
        var now = ApiTime.Now(time);
        if (!ApiTime.TryParse(since, now, out var from) || !ApiTime.TryParse(until, now, out var to))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        if (!ApiQuery.TryLimit(limit, DefaultLimit, AuditQuery.MaxLimit, out var pageSize, out var error))
        {
            return TypedResults.BadRequest(new ErrorView(error));
        }

        AuditCursor? before = null;
        if (cursor is not null && !AuditCursor.TryDecode(cursor, out before))
        {
            return TypedResults.BadRequest(new ErrorView("cursor is not one this server gave out"));
        }

        var query = new AuditQuery(from ?? now - DefaultRange.TotalSeconds, to ?? now + 1, Blank(user), Blank(action), pageSize, before);
        var (rows, next) = reader.List(query);
        return TypedResults.Ok(new AuditListView([.. rows.Select(AuditEntryView.Of)], next?.Encode()));
    }

    private static string? Blank(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
