using Ingest.Tracking;
using Ingest.Accounting;
using Ingest.Web;
using Ingest.Decoding;
using Ingest.Pipeline;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Sources.Http;

/// <summary><c>POST /api/events</c>: a Celery event body (one object or an array), through the same path as AMQP.</summary>
public static class EventsApi
{
    /// <summary>Longest a <c>wait=durable</c> request waits for the commit.</summary>
    public static readonly TimeSpan DurableWaitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Maps <c>POST /api/events</c>. The host names the authorization policy and whether HTTP ingest is on: the
    /// source knows events, not who may send them.
    /// </summary>
    public static RouteHandlerBuilder MapEventsApi(this IEndpointRouteBuilder app, bool enabled) =>
        app.MapPost("/api/events", (HttpRequest request, EventIngestor ingestor, DecoderOptions options, IngestCounters counters, IngestAdmission admission,
                TaskTracker tracker, DurableWatermark durable, PipelineOptions pipeline, TimeProvider time, string? wait, CancellationToken cancellationToken) =>
            PostEventsAsync(request, ingestor, options, counters, admission, tracker, durable, pipeline, time, enabled, wait, cancellationToken)).Takes("wait");

    public static async Task<Results<Accepted<EventsResponse>, BadRequest<EventsResponse>, JsonHttpResult<EventsResponse>>> PostEventsAsync(
        HttpRequest request, EventIngestor ingestor, DecoderOptions options, IngestCounters counters, IngestAdmission admission,
        TaskTracker tracker, DurableWatermark durable, PipelineOptions pipeline, TimeProvider time, bool enabled, string? wait, CancellationToken cancellationToken)
    {
        if (!enabled)
        {
            return TypedResults.Json(EventsResponse.Refused("HTTP ingest is off: start Ingest with --http-ingest (and --ingest-token-file) to accept events here"), statusCode: StatusCodes.Status404NotFound);
        }

        // JSON only: a text/plain or form body is what a page on another site can send from a signed-in browser
        // without a CORS preflight (issue 15), and no Celery sender needs it.
        if (!request.HasJsonContentType())
        {
            ingestor.RejectBody(RejectReason.NotJson, "http", [], $"Content-Type '{EscapedSample.Of(request.ContentType)}' is not application/json");
            return TypedResults.Json(EventsResponse.Refused($"Content-Type must be application/json, not '{request.ContentType}'"), statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var waitDurable = false;
        if (wait is not null)
        {
            if (wait != "durable")
            {
                return TypedResults.Json(EventsResponse.Refused("wait takes one value: durable"), statusCode: StatusCodes.Status400BadRequest);
            }

            if (pipeline.CheckpointInterval <= TimeSpan.Zero)
            {
                return TypedResults.Json(EventsResponse.Refused("wait=durable needs the in-flight checkpoint (Ingest:Pipeline:CheckpointInterval above 0)"), statusCode: StatusCodes.Status400BadRequest);
            }

            waitDurable = true;
        }

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
            ingestor.RejectBody(RejectReason.TooLarge, "http", [], $"Content-Length {request.ContentLength} is over the limit of {limit} bytes");
            return TypedResults.Json(EventsResponse.TooLarge(limit), statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                ingestor.RejectBody(RejectReason.TooLarge, "http", buffer.GetBuffer().AsSpan(0, (int)buffer.Length), $"body over the limit of {limit} bytes");
                return TypedResults.Json(EventsResponse.TooLarge(limit), statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        // Content-Encoding gzip or deflate is inflated (capped at the body limit), any other refused with 415.
        var content = new BodyContent(request.ContentType, null, request.Headers.ContentEncoding.ToString());
        var decoded = ingestor.Ingest(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), "http", content: content);
        var response = EventsResponse.From(decoded);
        if (decoded.MalformedError is not null)
        {
            return decoded.BodyReason switch
            {
                RejectReason.UnsupportedContentType or RejectReason.UnsupportedEncoding => TypedResults.Json(response, statusCode: StatusCodes.Status415UnsupportedMediaType),
                RejectReason.DecompressedTooLarge => TypedResults.Json(response, statusCode: StatusCodes.Status413PayloadTooLarge),
                _ => TypedResults.BadRequest(response),
            };
        }

        if (!waitDurable)
        {
            return TypedResults.Accepted((string?)null, response);
        }

        // Answered only once what these events did is committed: finished invocations in their day, unfinished
        // tasks in the in-flight checkpoint (issue 13). For senders that would rather wait than lose an event.
        if (!await durable.WaitAsync(tracker.AppliedSeq, DurableWaitTimeout, time, cancellationToken).ConfigureAwait(false))
        {
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return TypedResults.Json(response with { Error = $"accepted, but not durable within {DurableWaitTimeout.TotalSeconds:F0} s (or too many waiting): the events may be stored or not; sending them again is safe, the merge is idempotent" },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Json(response with { Durable = true }, statusCode: StatusCodes.Status200OK);
    }
}
