using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ingest.Tests.Support;

/// <summary>
/// What each task of a capture should end as, worked out here from the events' own fields and timestamps
/// (a second, deliberately plain reading of the rules, independent of the tracker's code).
/// </summary>
public sealed record ExpectedTask(string TaskId, string? Name, string State, int Retries, double? Runtime, string? Exception, string? Result)
{
    /// <summary>The decisive event's traceback, which names the class when Celery wrapped the exception (issue 25).</summary>
    public string? Traceback { get; init; }

    private static readonly Dictionary<string, string> s_terminal = new()
    {
        ["task-succeeded"] = "SUCCESS", ["task-failed"] = "FAILURE", ["task-retried"] = "RETRY",
        ["task-revoked"] = "REVOKED", ["task-rejected"] = "REJECTED",
    };

    public static IReadOnlyDictionary<string, ExpectedTask> From(IEnumerable<JsonElement> events)
    {
        var byTask = events
            .Where(e => e.GetProperty("type").GetString()!.StartsWith("task-", StringComparison.Ordinal))
            .GroupBy(e => e.GetProperty("uuid").GetString()!);
        var result = new Dictionary<string, ExpectedTask>();
        foreach (var group in byTask)
        {
            var ordered = group.OrderBy(e => e.GetProperty("timestamp").GetDouble()).ToList();
            string state = "PENDING";
            JsonElement? decisive = null;
            foreach (var e in ordered)
            {
                var type = e.GetProperty("type").GetString()!;
                var ready = state is "SUCCESS" or "FAILURE" or "REVOKED" or "REJECTED";
                if (s_terminal.TryGetValue(type, out var terminal))
                {
                    state = terminal;
                    decisive = e;
                }
                else if (!ready && type == "task-received")
                {
                    state = "RECEIVED";
                }
                else if (!ready && type == "task-started")
                {
                    state = "STARTED";
                }
            }

            var name = ordered.Select(e => e.TryGetProperty("name", out var n) ? Text(n) : null).FirstOrDefault(n => n is not null);
            var retries = ordered.Count(e => e.GetProperty("type").GetString() == "task-retried");
            double? runtime = state == "SUCCESS" && decisive!.Value.TryGetProperty("runtime", out var rt) ? rt.GetDouble() : null;
            string? exception = decisive is { } d && d.TryGetProperty("exception", out var ex) && state is "FAILURE" or "RETRY" ? Text(ex) : null;
            string? resultText = state == "SUCCESS" && decisive!.Value.TryGetProperty("result", out var res) ? Text(res) : null;
            string? traceback = exception is not null && decisive!.Value.TryGetProperty("traceback", out var tb) ? Text(tb) : null;
            result[group.Key] = new ExpectedTask(group.Key, name, state, retries, runtime, exception, resultText) { Traceback = traceback };
        }

        return result;
    }

    /// <summary>Task ids whose args, kwargs or stored result hold <paramref name="value"/> as a whole token.</summary>
    public static HashSet<string> Carrying(string value, IEnumerable<JsonElement> events, IReadOnlyDictionary<string, ExpectedTask> expected)
    {
        var token = new Regex($@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(value)}(?![\p{{L}}\p{{N}}])");
        var ids = new HashSet<string>();
        foreach (var e in events)
        {
            if (!e.TryGetProperty("uuid", out var uuid) || uuid.GetString() is not { } id || !expected.ContainsKey(id))
            {
                continue;
            }

            foreach (var field in new[] { "args", "kwargs" })
            {
                if (e.TryGetProperty(field, out var text) && ExpectedTask.Text(text) is { } s && token.IsMatch(s))
                {
                    ids.Add(id);
                }
            }
        }

        ids.UnionWith(expected.Values.Where(t => t.Result is { } r && token.IsMatch(r)).Select(t => t.TaskId));
        return ids;
    }

    /// <summary>A JSON string with unpaired surrogate escapes read as U+FFFD (what Ingest promises to store).</summary>
    public static string? Text(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return e.GetString();
        }
        catch (InvalidOperationException)
        {
            var raw = Regex.Replace(e.GetRawText(), @"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}", @"\ufffd");
            return JsonSerializer.Deserialize<string>(raw);
        }
    }
}
