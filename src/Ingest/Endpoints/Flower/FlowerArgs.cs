using System.Globalization;
using System.Text.Json;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// A Flower request's parameters as Tornado's <c>get_argument</c> reads them: the query string and a form body
/// together (the last value of a name wins). Parsing failures carry Flower's wording and a 400.
/// </summary>
internal sealed class FlowerArgs
{
    /// <summary>Most bytes of a form body read (Flower's control forms are a few dozen bytes).</summary>
    public const int MaxFormBytes = 16_384;

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private FlowerArgs()
    {
    }

    /// <summary>Every parameter, for the audit trail.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Reads the query string, then a form body if there is one.</summary>
    public static async Task<FlowerArgs> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var args = new FlowerArgs();
        foreach (var (key, value) in request.Query)
        {
            args._values[key] = value.ToString();
        }

        if (request.HasFormContentType && request.ContentLength is null or <= MaxFormBytes)
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (key, value) in form)
            {
                args._values[key] = value.ToString();
            }
        }

        return args;
    }

    /// <summary>The parameters as a JSON object, for the audit trail.</summary>
    public string ToJson() => JsonSerializer.Serialize(_values);

    /// <summary>A text parameter; null when absent.</summary>
    public string? Text(string name) => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>A required text parameter; false (with Flower's 400 reason) when absent or empty.</summary>
    public bool TryRequired(string name, out string value, out string error)
    {
        value = Text(name) ?? "";
        error = value.Length == 0 ? $"Missing argument {name}" : "";
        return value.Length > 0;
    }

    /// <summary>A whole number; <paramref name="fallback"/> when absent and not required.</summary>
    public bool TryInt(string name, int? fallback, out int value, out string error)
    {
        error = "";
        value = fallback ?? 0;
        if (Text(name) is not { Length: > 0 } text)
        {
            error = fallback is null ? $"Missing argument {name}" : "";
            return fallback is not null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        error = $"{name} must be a whole number";
        return false;
    }

    /// <summary>A number of seconds; null when absent.</summary>
    public bool TryNumber(string name, out double? value, out string error)
    {
        error = "";
        value = null;
        if (Text(name) is not { Length: > 0 } text)
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && number >= 0)
        {
            value = number;
            return true;
        }

        error = $"{name} must be a number of seconds";
        return false;
    }

    /// <summary>A flag as Flower reads it (true/false, 1/0, yes/no, on/off); <paramref name="fallback"/> when absent.</summary>
    public bool TryFlag(string name, bool fallback, out bool value, out string error)
    {
        error = "";
        value = fallback;
        switch (Text(name)?.ToLowerInvariant())
        {
            case null or "":
                return true;
            case "true" or "1" or "yes" or "y" or "on" or "t":
                value = true;
                return true;
            case "false" or "0" or "no" or "n" or "off" or "f":
                value = false;
                return true;
            default:
                error = $"{name} must be true or false";
                return false;
        }
    }
}
