using System.Text;
using System.Text.Json;

namespace Ingest.Control;

/// <summary>
/// JSON arguments written as <c>celery.utils.saferepr</c> writes the values <c>json.loads</c> makes of them: what
/// Celery puts in a task's <c>argsrepr</c> and <c>kwargsrepr</c> headers, and what workers, Flower and Ingest show.
/// saferepr is not Python's repr: strings are always single-quoted with only <c>'</c> escaped, containers nested
/// three deep are elided, and the text is cut at a length.
/// </summary>
internal static class SafeRepr
{
    /// <summary>Celery's <c>argsrepr_maxsize</c> and <c>kwargsrepr_maxsize</c>: longer reprs are cut.</summary>
    public const int MaxLength = 1024;

    // saferepr's maxlevels: a container this deep is written as [...] or {...}.
    private const int MaxLevels = 3;

    /// <summary>The saferepr of <paramref name="value"/>, cut to <see cref="MaxLength"/> characters with a trailing <c>...</c>.</summary>
    public static string Of(JsonElement value)
    {
        var text = new StringBuilder();
        Write(text, value, 0);
        return text.Length <= MaxLength ? text.ToString() : string.Concat(text.ToString(0, MaxLength - 3), "...");
    }

    /// <summary>Celery positional arguments: an empty list is <c>()</c>, as <c>as_task_v2</c> makes it a tuple.</summary>
    public static string OfArgs(JsonElement args) => args.ValueKind == JsonValueKind.Array && args.GetArrayLength() == 0 ? "()" : Of(args);

    private static string Quote(string value) => "'" + value.Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static void Write(StringBuilder text, JsonElement value, int level)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array when level >= MaxLevels:
                text.Append("[...]");
                break;
            case JsonValueKind.Object when level >= MaxLevels:
                text.Append("{...}");
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    text.Append(first ? string.Empty : ", ");
                    first = false;
                    Write(text, item, level + 1);
                }

                text.Append(']');
                break;
            case JsonValueKind.Object:
                text.Append('{');
                var firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    text.Append(firstProperty ? string.Empty : ", ").Append(Quote(property.Name)).Append(": ");
                    firstProperty = false;
                    Write(text, property.Value, level + 1);
                }

                text.Append('}');
                break;
            case JsonValueKind.String:
                text.Append(Quote(value.GetString()!));
                break;
            case JsonValueKind.True:
                text.Append("True");
                break;
            case JsonValueKind.False:
                text.Append("False");
                break;
            case JsonValueKind.Null:
                text.Append("None");
                break;
            default:
                // A number as JSON wrote it: Python prints ints and most floats the same way.
                text.Append(value.GetRawText());
                break;
        }
    }
}
