using Ingest.Decoding;
using Ingest.Diagnostics;
using Ingest.Pipeline;
using Ingest.Endpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Sources.Http;

/// <summary><c>POST /api/events</c>: a Celery event body (one object or an array), through the same path as AMQP.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", PostEventsAsync).Takes();
        return app;
    }

    public static async Task<Results<Accepted<EventsResponse>, BadRequest<EventsResponse>, JsonHttpResult<EventsResponse>>> PostEventsAsync(
        HttpRequest request, EventIngestor ingestor, DecoderOptions options, IngestCounters counters, IngestAdmission admission, CancellationToken cancellationToken)
    {
        if (admission.RefusalReason() is { } busy)
        {
            // Before reading the body: a sender told to wait costs nothing, and what it sends later is not lost.
            counters.AddRefusedBody();
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return TypedResults.Json(EventsResponse.Busy(busy), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var limit = options.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            counters.AddRejectedBody(RejectReason.TooLarge);
            return TypedResults.Json(EventsResponse.TooLarge(limit), statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                counters.AddRejectedBody(RejectReason.TooLarge);
                return TypedResults.Json(EventsResponse.TooLarge(limit), statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        var decoded = ingestor.Ingest(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), "http");
        var response = EventsResponse.From(decoded);
        return decoded.MalformedError is null ? TypedResults.Accepted((string?)null, response) : TypedResults.BadRequest(response);
    }
}

/// <summary>What happened to a posted body: counts of accepted and rejected events, by reason.</summary>
public sealed record EventsResponse(
    int Accepted,
    int Rejected,
    IReadOnlyDictionary<string, int> RejectedByReason,
    IReadOnlyDictionary<string, int> Repaired,
    string? Error)
{
    public static EventsResponse From(DecodedBody d) => new(
        d.Events.Count,
        d.RejectedTotal,
        Enumerable.Range(0, d.Rejected.Length).Where(i => d.Rejected[i] > 0).ToDictionary(i => ((RejectReason)i).Name(), i => d.Rejected[i]),
        Enumerable.Range(0, d.Repaired.Length).Where(i => d.Repaired[i] > 0).ToDictionary(i => ((Repair)i).Name(), i => d.Repaired[i]),
        d.MalformedError is null ? null : $"body is not valid JSON: {d.MalformedError}");

    public static EventsResponse Busy(string why) =>
        new(0, 0, new Dictionary<string, int>(), new Dictionary<string, int>(), $"not accepted now, retry after 1 s: {why}");

    public static EventsResponse TooLarge(int limit) =>
        new(0, 1, new Dictionary<string, int> { [RejectReason.TooLarge.Name()] = 1 }, new Dictionary<string, int>(), $"body is over the limit of {limit} bytes");
}
