using System.Globalization;
using System.Text;

namespace Ingest.Storage.Reading;

/// <summary>Keyset position (state time, task id) of the last row of a page, as an opaque URL-safe token.</summary>
public sealed record PageCursor(double StateAt, string TaskId)
{
    public string Encode()
    {
        var raw = StateAt.ToString("R", CultureInfo.InvariantCulture) + "|" + TaskId;
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string? token, out PageCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return false;
        }

        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var raw = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            var bar = raw.IndexOf('|', StringComparison.Ordinal);
            // A forged token must not reach a query: NaN sorts nowhere and Infinity matches everything (issue 12).
            if (bar <= 0 || bar == raw.Length - 1 || raw.Length - bar - 1 > 255
                || !double.TryParse(raw.AsSpan(0, bar), NumberStyles.Float, CultureInfo.InvariantCulture, out var at) || !double.IsFinite(at))
            {
                return false;
            }

            cursor = new PageCursor(at, raw[(bar + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
