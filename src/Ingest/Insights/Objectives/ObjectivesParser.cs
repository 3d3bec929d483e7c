using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ingest.Insights.Objectives;

/// <summary>
/// Reads the objectives file: JSON, <c>{"objectives": [{"name", "task", "success_rate", "latency", "window"}]}</c>.
/// JSON only: System.Text.Json ships with .NET, and a YAML library would be a new dependency (and a parser's attack
/// surface) for a file of a few lines; JSON is also what <c>yq -o json</c> turns a YAML file into. Unknown keys are
/// refused, so a misspelt <c>sucess_rate</c> is a start-up error rather than an objective silently not set.
/// </summary>
public static partial class ObjectivesParser
{
    /// <summary>The window when an objective does not say: the SRE workbook's four weeks.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(28);

    private static readonly string[] s_keys = ["name", "task", "success_rate", "latency", "window"];

    /// <summary>The objectives <paramref name="json"/> holds; throws <see cref="ObjectivesFileException"/> naming <paramref name="source"/>.</summary>
    public static IReadOnlyList<TaskObjective> Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ObjectivesFileException($"{source}: not JSON: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("objectives", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new ObjectivesFileException($"{source}: expected {{\"objectives\": [...]}}");
            }

            if (list.GetArrayLength() > ObjectiveSet.MaxObjectives)
            {
                throw new ObjectivesFileException($"{source}: {list.GetArrayLength()} objectives, more than the {ObjectiveSet.MaxObjectives} allowed (each adds up to four series)");
            }

            var objectives = new List<TaskObjective>();
            var index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                index++;
                var objective = Entry(entry, $"{source}: objective {index}");
                if (objectives.Any(o => o.Name == objective.Name))
                {
                    throw new ObjectivesFileException($"{source}: objective {index}: the name '{objective.Name}' is used twice");
                }

                objectives.Add(objective);
            }

            return objectives;
        }
    }

    private static TaskObjective Entry(JsonElement entry, string where)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new ObjectivesFileException($"{where}: expected an object");
        }

        foreach (var p in entry.EnumerateObject())
        {
            if (!s_keys.Contains(p.Name, StringComparer.Ordinal))
            {
                throw new ObjectivesFileException($"{where}: unknown key '{p.Name}' (keys: {string.Join(", ", s_keys)})");
            }
        }

        var task = Text(entry, "task", where) ?? throw new ObjectivesFileException($"{where}: 'task' is required (a task name, or a pattern with *)");
        var name = Text(entry, "name", where) ?? task;
        where = $"{where} ('{name}')";
        if (!LabelValue().IsMatch(name))
        {
            throw new ObjectivesFileException($"{where}: 'name' must be letters, digits and . _ : - (it is the objective label; a pattern needs a name)");
        }

        double? success = null;
        if (entry.TryGetProperty("success_rate", out var rate))
        {
            if (rate.ValueKind != JsonValueKind.Number || rate.GetDouble() is not (> 0 and < 1))
            {
                throw new ObjectivesFileException($"{where}: 'success_rate' must be a number above 0 and below 1, e.g. 0.999");
            }

            success = rate.GetDouble();
        }

        var latency = Text(entry, "latency", where) is { } l ? Latency(l, where) : null;
        if (success is null && latency is null)
        {
            throw new ObjectivesFileException($"{where}: set 'success_rate', 'latency' or both");
        }

        var window = DefaultWindow;
        if (Text(entry, "window", where) is { } w)
        {
            window = ObjectiveDurations.TryParse(w) is { } seconds and >= 86400 and <= 90 * 86400 && seconds % 3600 == 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new ObjectivesFileException($"{where}: 'window' must be whole hours from 1d to 90d, e.g. 28d");
        }

        return new TaskObjective(name, task, success, latency, window);
    }

    /// <summary><c>p95 &lt;= 2s</c>, optionally followed by <c>of runtime</c> (the default) or <c>of queue_wait</c>.</summary>
    private static LatencyObjective Latency(string text, string where)
    {
        var m = LatencyText().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups["p"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p) || p is not (> 0 and < 100)
            || ObjectiveDurations.TryParse(m.Groups["d"].Value) is not { } seconds)
        {
            throw new ObjectivesFileException($"{where}: 'latency' must read like 'p95 <= 2s', 'p99 <= 500ms of runtime' or 'p95 <= 30s of queue_wait'");
        }

        return new LatencyObjective(p, seconds, m.Groups["of"].Value.Replace(' ', '_') == "queue_wait");
    }

    private static string? Text(JsonElement entry, string key, string where) =>
        !entry.TryGetProperty(key, out var value) ? null
        : value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s
        : throw new ObjectivesFileException($"{where}: '{key}' must be a non-empty string");

    [GeneratedRegex(@"^[A-Za-z0-9_.:-]{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();

    [GeneratedRegex(@"^p(?<p>[0-9]+(?:\.[0-9]+)?)\s*<=\s*(?<d>[0-9.]+(?:ms|s|m|h))(?:\s+of\s+(?<of>runtime|queue[_ ]wait))?$", RegexOptions.CultureInvariant)]
    private static partial Regex LatencyText();
}
