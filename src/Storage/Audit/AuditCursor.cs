using System.Globalization;

namespace Ingest.Storage.Audit;

/// <summary>Where a page of audit entries ended: the last entry's time and its row id in its day's table.</summary>
public sealed record AuditCursor(double At, long Id)
{
    /// <summary>The cursor as the API hands it out: <c>at:id</c>, the time in round-trip form.</summary>
    public string Encode() => string.Create(CultureInfo.InvariantCulture, $"{At:R}:{Id}");

    /// <summary>Reads a cursor made by <see cref="Encode"/>; false for anything else.</summary>
    public static bool TryDecode(string text, out AuditCursor? cursor)
    {
        cursor = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0
            || !double.TryParse(text.AsSpan(0, colon), NumberStyles.Float, CultureInfo.InvariantCulture, out var at)
            || !double.IsFinite(at)
            || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        cursor = new AuditCursor(at, id);
        return true;
    }
}
