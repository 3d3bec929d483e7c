using System.Globalization;

namespace Ingest.Web;

/// <summary>Times at the API edge: ISO 8601 UTC with microseconds out; ISO 8601 or Unix seconds in.</summary>
internal static class ApiTime
{
    public static string? Format(double? unixSeconds)
    {
        if (unixSeconds is not { } s || !double.IsFinite(s))
        {
            return null;
        }

        // Microseconds are what Celery's time.time() carries. Split off the whole seconds first: s * 1e6 near
        // 1.8e15 has a spacing of 0.25 and would round .7171166 to .717116.
        var whole = Math.Floor(s);
        var micros = Math.Round((s - whole) * 1_000_000, MidpointRounding.AwayFromZero);
        var ticks = ((long)whole * TimeSpan.TicksPerSecond) + ((long)micros * 10);
        var time = DateTime.UnixEpoch.AddTicks(Math.Clamp(ticks, -DateTime.UnixEpoch.Ticks, DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks));
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Now on <paramref name="time"/>, Unix seconds (millisecond precision), as every endpoint reads it.</summary>
    public static double Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>What a request is told when since or until does not parse.</summary>
    public const string RangeError = "since and until take ISO 8601 times (2026-11-22T10:00:00Z), Unix seconds, or a time before now (-15m, -6h, -7d)";

    /// <summary>
    /// As <see cref="TryParse(string?, out double?)"/>, and also a time before <paramref name="now"/>: <c>-15m</c>,
    /// <c>-6h</c>, <c>-7d</c> (the UI's presets, so a range is the server's last 24 hours whatever the browser's clock says).
    /// </summary>
    public static bool TryParse(string? text, double now, out double? unixSeconds)
    {
        if (text is { Length: >= 3 } t && t[0] == '-' && char.IsAsciiLetter(t[^1])
            && int.TryParse(t.AsSpan(1, t.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 100_000)
        {
            double? unit = char.ToLowerInvariant(t[^1]) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => null };
            unixSeconds = unit is { } u ? now - (n * u) : null;
            return unit is not null;
        }

        return TryParse(text, out unixSeconds);
    }

    /// <summary>Parses <c>2026-11-22T10:00:00Z</c>, a date, or Unix seconds. Null input gives null; bad input gives false.</summary>
    public static bool TryParse(string? text, out double? unixSeconds)
    {
        unixSeconds = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            unixSeconds = seconds;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            unixSeconds = (time - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;
            return true;
        }

        return false;
    }
}
