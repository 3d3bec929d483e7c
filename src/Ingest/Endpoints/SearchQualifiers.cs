namespace Ingest.Endpoints;

/// <summary>
/// Flower's search habit (issue 25): <c>state:FAILURE name:shop.tasks.charge 12345</c>. Qualifiers become the list's
/// filters; what is left is the value search. <c>args:</c>, <c>kwargs:</c> and <c>result:</c> search the value index,
/// which holds all three together, so they narrow nothing beyond the value itself. Pure: it only reads the text.
/// </summary>
public static class SearchQualifiers
{
    private static readonly string[] s_filters = ["name", "state", "worker", "queue", "exception"];
    private static readonly string[] s_values = ["args", "kwargs", "result"];

    /// <summary>The filters named in <paramref name="q"/> and the text left for the value search (null when none is left).</summary>
    public readonly record struct Parsed(IReadOnlyDictionary<string, string> Filters, string? Text);

    /// <summary>Splits <paramref name="q"/>; false, with a reason, for an empty or twice-given qualifier.</summary>
    public static bool TryParse(string? q, out Parsed parsed, out string? error)
    {
        parsed = new Parsed(new Dictionary<string, string>(), null);
        error = null;
        if (string.IsNullOrWhiteSpace(q))
        {
            return true;
        }

        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = new List<string>();
        foreach (var term in q.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = term.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? term[..colon].ToLowerInvariant() : null;
            var value = colon > 0 ? term[(colon + 1)..] : term;
            if (key is not null && s_filters.Contains(key))
            {
                if (value.Length == 0)
                {
                    error = $"'{key}:' needs a value, as in {key}:something";
                    return false;
                }

                if (!filters.TryAdd(key, value))
                {
                    error = $"'{key}:' is given twice";
                    return false;
                }
            }
            else if (key is not null && s_values.Contains(key))
            {
                if (value.Length > 0)
                {
                    text.Add(value);
                }
            }
            else
            {
                text.Add(term); // a plain value, or one with a colon of its own (order_id:12345 is a value)
            }
        }

        parsed = new Parsed(filters, text.Count == 0 ? null : string.Join(' ', text));
        return true;
    }

    /// <summary>
    /// The filter a list request ends with: the parameter if given, else the qualifier; both given and different
    /// is a contradiction the caller answers with 400.
    /// </summary>
    public static bool TryMerge(string? parameter, Parsed parsed, string key, out string? value, out string? error)
    {
        error = null;
        parsed.Filters.TryGetValue(key, out var qualified);
        var given = string.IsNullOrEmpty(parameter) ? null : parameter;
        if (given is not null && qualified is not null && !string.Equals(given, qualified, StringComparison.Ordinal))
        {
            value = null;
            error = $"{key} is given as a parameter ('{given}') and in q ('{key}:{qualified}')";
            return false;
        }

        value = given ?? qualified;
        return true;
    }
}
