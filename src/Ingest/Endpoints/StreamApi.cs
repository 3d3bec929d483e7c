using System.Text;
using System.Text.Json;
using Ingest.Diagnostics;
using Ingest.Storage;
using Ingest.Streaming;
using Ingest.Web;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ingest.Endpoints;

/// <summary>
/// <c>/api/stream</c>: Server-Sent Events. <c>invocation</c> for each stored invocation (optionally filtered
/// by name and state), <c>stats</c> with the ingest report every two seconds, <c>dropped</c> when this
/// client fell behind and its buffer let go of the oldest entries, and <c>end</c> when the stream closes after
/// <see cref="MaxLifetime"/>. At most <see cref="StreamHub.MaxPerOwner"/> streams per user (429 beyond).
/// </summary>
public static class StreamApi
{
    public static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long one stream stays open; the browser's EventSource then reconnects.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(30);

    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stream", StreamAsync).Takes("name", "state");
        return app;
    }

    public static async Task StreamAsync(
        HttpContext context, StreamHub hub, IngestStatus status, TimeProvider time, IOptions<JsonOptions> json, IHostApplicationLifetime lifetime,
        string? name = null, string? state = null)
    {
        var normalizedState = state?.Trim().ToUpperInvariant();
        if (normalizedState is not null && !TaskStates.IsKnown(normalizedState))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new ErrorView($"unknown state '{state}'"), context.RequestAborted);
            return;
        }

        var owner = context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } user } ? "user:" + user
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        using var subscription = hub.Subscribe(string.IsNullOrEmpty(name) ? null : name, normalizedState, owner, out var refusal);
        if (subscription is null)
        {
            // Per user as well as in total: 32 idle tabs of one client no longer lock everyone else out (issue 15).
            context.Response.StatusCode = refusal == StreamHub.Refusal.OwnerFull ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "10";
            var reason = refusal == StreamHub.Refusal.OwnerFull
                ? $"you already hold {hub.MaxPerOwner} live streams; close a tab or reuse one"
                : $"the stream already has {hub.MaxClients} clients";
            await context.Response.WriteAsJsonAsync(new ErrorView(reason), context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var options = json.Value.SerializerOptions;
        // Streams end when the host starts stopping: Kestrel waits for open requests, and a stream never ends by
        // itself (issue 12: one browser tab held shutdown for the host's whole 30 s and the drain was lost).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ended.Token;
        var output = context.Response.Body;
        var nextStats = TimeSpan.Zero;
        var clock = time.GetTimestamp();
        try
        {
            await WriteAsync(output, ": connected\nretry: 2000\n\n", aborted);
            while (!aborted.IsCancellationRequested)
            {
                if (time.GetElapsedTime(clock) >= MaxLifetime)
                {
                    // Every stream ends after a while, so one a tab abandoned or a proxy half-closed does not hold
                    // its place for ever; a live EventSource reconnects by itself after the retry delay.
                    await WriteEventAsync(output, "end", "{\"reason\":\"streams are closed after 30 minutes; reconnect\"}", aborted);
                    return;
                }

                if (time.GetElapsedTime(clock) >= nextStats)
                {
                    await WriteEventAsync(output, "stats", JsonSerializer.Serialize(status.Report().Body, options), aborted);
                    nextStats = time.GetElapsedTime(clock) + StatsInterval;
                }

                var dropped = subscription.TakeDropped();
                if (dropped > 0)
                {
                    await WriteEventAsync(output, "dropped", $"{{\"dropped\":{dropped},\"reason\":\"this client read slower than invocations were stored; the oldest were let go\"}}", aborted);
                }

                var sent = 0;
                while (sent < 500 && subscription.Reader.TryRead(out var record))
                {
                    await WriteEventAsync(output, "invocation", JsonSerializer.Serialize(InvocationView.From(record, "stored"), options), aborted, flush: false);
                    sent++;
                }

                if (sent > 0)
                {
                    await output.FlushAsync(aborted);
                    continue;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                wait.CancelAfter(StatsInterval);
                try
                {
                    await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    // Two seconds without an invocation: time for stats.
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static Task WriteEventAsync(Stream output, string name, string data, CancellationToken cancellationToken, bool flush = true) =>
        WriteAsync(output, $"event: {name}\ndata: {data}\n\n", cancellationToken, flush);

    private static async Task WriteAsync(Stream output, string text, CancellationToken cancellationToken, bool flush = true)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        if (flush)
        {
            await output.FlushAsync(cancellationToken);
        }
    }
}
