using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ingest.Storage.Reading;

/// <summary>
/// Keyset position in a ranking (most first, then by name): the last item of a page, as an opaque URL-safe token
/// bound to the list it came from. A page after it starts strictly below it, so ties never repeat or skip an item.
/// </summary>
/// <param name="List">Which ranking: <see cref="Tasks"/> or <see cref="Failures"/>.</param>
/// <param name="Count">The item's count (runs, failures).</param>
/// <param name="Last">The item's second key (the failures' last seen, -1 for none; 0 for tasks).</param>
/// <param name="Name">The task name.</param>
/// <param name="Second">The failures' exception type ("" for tasks).</param>
public sealed record RankCursor(string List, long Count, double Last, string Name, string Second)
{
    /// <summary>The task ranking's cursors.</summary>
    public const string Tasks = "tasks";

    /// <summary>The failure groups' cursors.</summary>
    public const string Failures = "failures";

    /// <summary>Longest token accepted: a task name is at most a few hundred characters.</summary>
    private const int MaxTokenLength = 4096;

    public string Encode()
    {
        var parts = new[] { List, Count.ToString(CultureInfo.InvariantCulture), Last.ToString("R", CultureInfo.InvariantCulture), Name, Second };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes a token this server gave out for <paramref name="list"/>; false for anything else.</summary>
    public static bool TryDecode(string? token, string list, out RankCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var parts = JsonSerializer.Deserialize<string[]>(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
            // A forged token must not reach a query: NaN sorts nowhere and Infinity passes every bound (as PageCursor).
            if (parts is not [var kind, var count, var last, { } name, { } second] || kind != list
                || !long.TryParse(count, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                || !double.TryParse(last, NumberStyles.Float, CultureInfo.InvariantCulture, out var at) || !double.IsFinite(at))
            {
                return false;
            }

            cursor = new RankCursor(list, n, at, name, second);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}
