using System.Text.Json;
using Ingest.Storage.Audit;
using Ingest.Web;

namespace Ingest.Endpoints;

/// <summary>One audited control request as the API shows it: times in ISO 8601, the stored JSON as JSON.</summary>
public sealed record AuditEntryView(
    string At,
    string? User,
    string Action,
    string? Target,
    JsonElement Arguments,
    string Outcome,
    int Status,
    string? Reason,
    JsonElement? Replies,
    JsonElement? Missing)
{
    /// <summary>The view of a stored row; text that is not JSON (a field cut at its cap) is shown as a string.</summary>
    public static AuditEntryView Of(AuditRow row)
    {
        var e = row.Entry;
        return new AuditEntryView(ApiTime.Format(e.At)!, e.User, e.Action, e.Target, Json(e.Arguments)!.Value, e.Outcome, e.Status, e.Reason, Json(e.Replies), Json(e.Missing));
    }

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}
