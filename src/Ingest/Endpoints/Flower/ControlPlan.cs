using System.Text.Json;
using Ingest.Control;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// What a Flower control route sends, and how it words the outcome in Flower's terms; or why it cannot send (a 400
/// or 404 in Flower's wording).
/// </summary>
internal sealed record ControlPlan
{
    /// <summary>The plan's deadline placeholder, replaced at send by <c>--control-timeout-s</c> (Celery's <c>broadcast</c> waits 1 s).</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(1);

    private ControlPlan()
    {
    }

    /// <summary>The command; null when refused.</summary>
    public ControlRequest? Request { get; private init; }

    /// <summary>Why it cannot be sent.</summary>
    public string? Error { get; private init; }

    /// <summary>400 (a parameter) or 404 (an unknown worker).</summary>
    public int ErrorStatus { get; private init; }

    /// <summary>Flower's message for the outcome; <c>Ok</c> false turns the answer into Flower's 403 "Failed to ...".</summary>
    public Func<ControlResult, (bool Ok, string Message)> Describe { get; private init; } = _ => (true, "");

    /// <summary>A command for one worker (or every worker when <paramref name="worker"/> is null).</summary>
    public static ControlPlan Send(string command, Dictionary<string, object?> arguments, string? worker, Func<ControlResult, (bool, string)> describe, bool expectReply = true) => new()
    {
        Request = new ControlRequest(command, arguments, worker is null ? null : [worker], ReplyTimeout, expectReply),
        Describe = describe,
    };

    /// <summary>A refusal before anything is sent.</summary>
    public static ControlPlan Refuse(int status, string error) => new() { Error = error, ErrorStatus = status };

    /// <summary>Flower's test: the worker answered, with <c>ok</c>; the message is then <paramref name="message"/>, else "Failed to ...: reason".</summary>
    public static Func<ControlResult, (bool, string)> OkOr(string worker, Func<string, string> message, string failed) => result =>
    {
        var reply = result.Replies.FirstOrDefault(r => r.Worker == worker);
        if (reply is not null && Field(reply.Body, "ok") is { } ok)
        {
            return (true, message(ok));
        }

        var reason = reply is null ? "no reply before the deadline (--control-timeout-s)" : Field(reply.Body, "error") ?? "Unknown reason";
        return (false, $"{failed}: {reason}");
    };

    /// <summary>A reply's <c>ok</c> or <c>error</c> text (a JSON string, or the JSON of any other value); null when absent.</summary>
    private static string? Field(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}
