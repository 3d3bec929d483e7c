using System.Text.Json.Nodes;
using Ingest.Decoding;

namespace Ingest.Endpoints;

/// <summary>
/// Whether an invocation can be sent again as it was (issue 27, Run again): the same name, args, kwargs and queue, for
/// the send-task body <c>{args, kwargs, options: {queue}}</c>. Possible only when the stored args and kwargs are the
/// whole values: not cut by Celery's saferepr (argsrepr and kwargsrepr are at most 1024 characters, and a cut ends in
/// <c>...</c>), not cut or masked by Ingest, and readable as Python literals (<see cref="PythonLiteral"/>).
/// </summary>
/// <param name="Possible">True when the run can be sent again as it was.</param>
/// <param name="Reason">Why not, in words for the button; null when possible.</param>
/// <param name="Args">The positional arguments as JSON, when possible.</param>
/// <param name="Kwargs">The keyword arguments as JSON, when possible.</param>
/// <param name="Queue">The queue it was sent to; null sends it by the task's own routing.</param>
public sealed record RerunView(bool Possible, string? Reason, JsonArray? Args, JsonObject? Kwargs, string? Queue)
{
    /// <summary>What Celery's saferepr appends to a string it cut (celery.utils.text.truncate).</summary>
    private const string SafereprCut = "...";

    /// <summary>What Ingest appends to a field it cut at <c>MaxFieldChars</c> (Decoding/EventValueReader.Truncate).</summary>
    private const string IngestCut = "…[truncated by ingest:";

    private const string Cut = "a string ends in '...', where Celery's saferepr cuts one (argsrepr and kwargsrepr keep 1024 characters)";

    /// <summary>The decision for one invocation.</summary>
    public static RerunView Of(InvocationView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (string.IsNullOrEmpty(run.Name))
        {
            return No("the task's name was not seen");
        }

        if (run.DetailsDropped)
        {
            return No("its args and kwargs were dropped by detail retention (--detail-days)");
        }

        if (run.DetailsNotKept is not null)
        {
            return No("its args and kwargs were not kept: sampled (--detail-sample)");
        }

        if (run.Args is null || run.Kwargs is null)
        {
            return No("its args and kwargs were not seen (task-sent and task-received carry them)");
        }

        if (!TryRead("args", run.Args, out var args, out var why) || !TryRead("kwargs", run.Kwargs, out var kwargs, out why))
        {
            return No(why);
        }

        if (args is not JsonArray argList)
        {
            return No("its args are not a tuple or list");
        }

        if (kwargs is not JsonObject kwargMap)
        {
            return No("its kwargs are not a dict");
        }

        return (Doubtful(argList) ?? Doubtful(kwargMap)) is { } doubt
            ? No(doubt)
            : new RerunView(true, null, argList, kwargMap, string.IsNullOrEmpty(run.Queue) ? null : run.Queue);
    }

    private static RerunView No(string reason) => new(false, reason, null, null, null);

    private static bool TryRead(string what, string text, out JsonNode? value, out string reason)
    {
        value = null;
        if (text.Contains(IngestCut, StringComparison.Ordinal))
        {
            reason = $"its {what} were cut by Ingest (text fields keep 32 KiB)";
            return false;
        }

        if (!PythonLiteral.TryParse(text, out value, out var error))
        {
            reason = $"its {what} are not Python literals Ingest can send: {error}";
            return false;
        }

        reason = "";
        return true;
    }

    // A string that parses may still not be the value: saferepr cuts a long string and ends it with '...', and
    // --redact-keys replaces a secret with '***'. Sending either would run the task with other arguments.
    private static string? Doubtful(JsonNode? node) => node switch
    {
        JsonArray items => items.Select(Doubtful).FirstOrDefault(d => d is not null),
        JsonObject entries => entries.Select(e => e.Key.EndsWith(SafereprCut, StringComparison.Ordinal) ? Cut : Doubtful(e.Value)).FirstOrDefault(d => d is not null),
        JsonValue v when v.TryGetValue<string>(out var s) => s == Redactor.Mask ? "a value was masked by --redact-keys"
            : s.EndsWith(SafereprCut, StringComparison.Ordinal) ? Cut : null,
        _ => null,
    };
}
