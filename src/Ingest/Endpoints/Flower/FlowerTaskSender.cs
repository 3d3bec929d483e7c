using System.Text.Json;
using Ingest.Control;
using Ingest.Storage.Audit;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// Flower's <c>send-task</c> and <c>async-apply</c>: a JSON body of <c>args</c>, <c>kwargs</c> and a few of
/// <c>send_task</c>'s options, published as a new task through <see cref="ITaskPublisher"/>. Answers
/// <c>{"task-id": ..., "state": "PENDING"}</c> as Flower does with a result backend.
/// </summary>
internal static class FlowerTaskSender
{
    /// <summary>Largest body read: a task message's arguments, not a file upload.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>The queue a task goes to when the body names none: Celery's default.</summary>
    public const string DefaultQueue = "celery";

    private static readonly HashSet<string> s_options = ["args", "kwargs", "queue", "countdown", "expires"];

    public static async Task<IResult> SendAsync(HttpContext http, string action, string name)
    {
        var audit = http.RequestServices.GetRequiredService<ControlAudit>();
        var (body, bodyError) = await ReadBodyAsync(http);
        var arguments = body is { } b ? b.GetRawText() : "{}";
        if (await FlowerControlApi.RefuseAsync(http, audit, action, name, arguments) is { } refused)
        {
            return refused;
        }

        TaskMessage? message = null;
        if (bodyError is not null || !TryMessage(name, body, out message, out bodyError))
        {
            return FlowerControlApi.Answer(http, audit, action, name, arguments, AuditOutcomes.Invalid, StatusCodes.Status400BadRequest, bodyError ?? "invalid options");
        }

        try
        {
            // Without a broker the registered publisher refuses with how to configure one.
            var publisher = http.RequestServices.GetService<ITaskPublisher>() ?? new UnavailableTaskPublisher();
            await publisher.PublishAsync(message!, http.RequestAborted);
        }
        catch (ControlUnavailableException e)
        {
            return FlowerControlApi.Answer(http, audit, action, name, arguments, AuditOutcomes.Unavailable, StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (ArgumentException e)
        {
            // The publisher's own checks (size cap, countdown, expires): the caller's to fix.
            return FlowerControlApi.Answer(http, audit, action, name, arguments, AuditOutcomes.Invalid, StatusCodes.Status400BadRequest, e.Message);
        }

        audit.Record(http, action, name, arguments, AuditOutcomes.Done, StatusCodes.Status200OK, null);
        return Results.Json(new Dictionary<string, string> { ["task-id"] = message!.Id, ["state"] = "PENDING" });
    }

    /// <summary>The body as JSON (null when empty), read to at most <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<(JsonElement? Body, string? Error)> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, $"the body is over {MaxBodyBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
    }

    private static bool TryMessage(string name, JsonElement? body, out TaskMessage? message, out string? error)
    {
        message = null;
        error = null;
        var options = body ?? JsonDocument.Parse("{}").RootElement;
        if (options.ValueKind != JsonValueKind.Object)
        {
            error = "invalid options";
            return false;
        }

        if (options.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !s_options.Contains(n)) is { } unknown)
        {
            error = $"option '{unknown}' is not supported; send-task takes {string.Join(", ", s_options.Order(StringComparer.Ordinal))}";
            return false;
        }

        var args = options.TryGetProperty("args", out var a) ? a : JsonDocument.Parse("[]").RootElement;
        var kwargs = options.TryGetProperty("kwargs", out var k) ? k : JsonDocument.Parse("{}").RootElement;
        if (args.ValueKind != JsonValueKind.Array)
        {
            error = "args must be an array";
            return false;
        }

        if (kwargs.ValueKind != JsonValueKind.Object)
        {
            error = "kwargs must be an object";
            return false;
        }

        var queue = options.TryGetProperty("queue", out var q) && q.ValueKind == JsonValueKind.String && q.GetString() is { Length: > 0 } named ? named : DefaultQueue;
        double? countdown = options.TryGetProperty("countdown", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
        var expires = options.TryGetProperty("expires", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        message = new TaskMessage(Guid.NewGuid().ToString(), name, args.Clone(), kwargs.Clone(), queue, countdown, expires);
        return true;
    }
}
