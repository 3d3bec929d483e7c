using System.Globalization;
using System.Text.Json;

namespace Ingest.Control;

/// <summary>
/// Reads a command's arguments as the API hands them over (form strings, JSON values or CLR values) into the JSON-ready
/// values Celery expects, collecting the first error in words. Unknown keys are refused, so a typo never reaches a
/// worker as an argument it silently ignores.
/// </summary>
internal sealed class ControlArgumentReader(string command, IReadOnlyDictionary<string, object?> given)
{
    /// <summary>Longest text accepted for a task name, id, queue or exchange.</summary>
    public const int MaxTextLength = 255;

    /// <summary>Most ids in one revoke or query_task.</summary>
    public const int MaxIds = 1000;

    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>The first problem found, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>The arguments read so far, as they will be sent.</summary>
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads a required or optional name-like text (task name, queue, exchange): printable, at most 255 characters.</summary>
    public string? Text(string key, bool required)
    {
        var raw = Take(key);
        if (raw is null)
        {
            return Require(key, required);
        }

        var text = AsString(raw);
        if (text is null || text.Length == 0 || text.Length > MaxTextLength || text.Any(char.IsControl) || text.Any(char.IsWhiteSpace))
        {
            return Fail($"{key} must be a non-empty name of at most {MaxTextLength} characters without spaces or control characters");
        }

        Values[key] = text;
        return text;
    }

    /// <summary>Reads a text that must be one of <paramref name="allowed"/> (compared without case, sent as listed).</summary>
    public string? OneOf(string key, IReadOnlyList<string> allowed, Func<string, string>? normalize = null)
    {
        var raw = Take(key);
        if (raw is null)
        {
            return null;
        }

        var text = AsString(raw);
        var match = text is null ? null : allowed.FirstOrDefault(a => string.Equals(a, normalize is null ? text : normalize(text), StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            return Fail($"{key} must be one of {string.Join(", ", allowed)}");
        }

        Values[key] = match;
        return match;
    }

    /// <summary>Reads a text matching <paramref name="valid"/>; <paramref name="hint"/> says what is expected.</summary>
    public string? Matching(string key, bool required, Func<string, bool> valid, string hint)
    {
        var raw = Take(key);
        if (raw is null)
        {
            return Require(key, required);
        }

        var text = AsString(raw) ?? raw switch
        {
            int or long or double => Convert.ToString(raw, CultureInfo.InvariantCulture),
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
            _ => null,
        };
        if (text is null || text.Length > MaxTextLength || !valid(text))
        {
            return Fail($"{key} must be {hint}");
        }

        Values[key] = text;
        return text;
    }

    /// <summary>Reads a boolean (true/false, 1/0, yes/no).</summary>
    public bool? Bool(string key)
    {
        var raw = Take(key);
        bool? value = raw switch
        {
            null => null,
            bool b => b,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => AsString(raw)?.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" or "on" => true,
                "false" or "0" or "no" or "off" => false,
                _ => null,
            },
        };
        if (raw is not null && value is null)
        {
            Fail($"{key} must be true or false");
            return null;
        }

        if (value is not null)
        {
            Values[key] = value.Value;
        }

        return value;
    }

    /// <summary>Reads a whole number within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int? Int(string key, bool required, int min, int max)
    {
        var number = Number(key, required, min, max);
        if (number is null)
        {
            return null;
        }

        if (number.Value != Math.Floor(number.Value))
        {
            Fail($"{key} must be a whole number from {min} to {max}");
            return null;
        }

        Values[key] = (int)number.Value;
        return (int)number.Value;
    }

    /// <summary>Reads a number within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double? Number(string key, bool required, double min, double max)
    {
        var raw = Take(key);
        if (raw is null)
        {
            Require(key, required);
            return null;
        }

        double? value = raw switch
        {
            int i => i,
            long l => l,
            double d => d,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            _ => double.TryParse(AsString(raw), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
        };
        if (value is null || !double.IsFinite(value.Value) || value < min || value > max)
        {
            Fail($"{key} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        Values[key] = value.Value;
        return value;
    }

    /// <summary>Reads one id or a list of them (comma-separated text, a JSON array or a list), each a valid name.</summary>
    public IReadOnlyList<string>? Names(string key, bool required)
    {
        var raw = Take(key);
        if (raw is null)
        {
            Require(key, required);
            return null;
        }

        List<string>? names = raw switch
        {
            IEnumerable<string> list when raw is not string => [.. list],
            JsonElement { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => [.. a.EnumerateArray().Select(e => e.GetString()!)],
            _ => AsString(raw)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
        };
        if (names is null || names.Count == 0 || names.Count > MaxIds || names.Any(n => n.Length == 0 || n.Length > MaxTextLength || n.Any(char.IsControl) || n.Any(char.IsWhiteSpace)))
        {
            Fail($"{key} must be 1 to {MaxIds} names of at most {MaxTextLength} characters without spaces or control characters");
            return null;
        }

        Values[key] = names;
        return names;
    }

    /// <summary>Sets a value the command always sends (a default Celery needs spelled out).</summary>
    public void Default(string key, object? value) => Values.TryAdd(key, value);

    /// <summary>Records <paramref name="message"/> as the error unless one was found before.</summary>
    public string? Fail(string message)
    {
        Error ??= $"{command}: {message}";
        return null;
    }

    /// <summary>Refuses the keys nothing read: a misspelt argument would otherwise be dropped by the worker unseen.</summary>
    public void RefuseUnknown()
    {
        var unknown = given.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            Fail($"unknown argument{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown)}");
        }
    }

    private object? Take(string key)
    {
        _read.Add(key);
        return given.TryGetValue(key, out var v) && v is not null && v is not JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
            && !(v is string { Length: 0 }) ? v : null;
    }

    private string? Require(string key, bool required) => required ? Fail($"{key} is required") : null;

    private static string? AsString(object raw) => raw switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => null,
    };
}
