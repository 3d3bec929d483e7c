using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingest.Insights.Objectives;

/// <summary>Durations as the objectives file and Prometheus write them: <c>250ms</c>, <c>2s</c>, <c>5m</c>, <c>6h</c>, <c>28d</c>.</summary>
public static partial class ObjectiveDurations
{
    /// <summary>Seconds of <paramref name="text"/>, or null when it is not a positive duration with a unit.</summary>
    public static double? TryParse(string text)
    {
        var m = Duration().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        return n * m.Groups[2].Value switch { "ms" => 0.001, "s" => 1, "m" => 60, "h" => 3600, _ => 86400 };
    }

    /// <summary>The shortest exact form: 0.25 gives <c>250ms</c>, 7200 gives <c>2h</c>, 2419200 gives <c>28d</c>.</summary>
    public static string Format(double seconds)
    {
        foreach (var (unit, size) in new[] { ("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0) })
        {
            if (seconds >= size && seconds % size == 0)
            {
                return $"{(seconds / size).ToString(CultureInfo.InvariantCulture)}{unit}";
            }
        }

        return seconds >= 1 ? $"{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s" : $"{(seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture)}ms";
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
