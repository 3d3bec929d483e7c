using System.Text.Json;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Reads answers in <c>JSONEachRow</c>: one JSON object a line (18.16 has no JSONCompactEachRow). 64-bit integers
/// arrive quoted (<c>output_format_json_quote_64bit_integers</c>), so they are read with <see cref="Int64"/>.
/// </summary>
internal static class ClickHouseAnswers
{
    /// <summary>The rows of an answer.</summary>
    public static IEnumerable<JsonElement> Rows(string answer)
    {
        foreach (var line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            yield return document.RootElement.Clone();
        }
    }

    /// <summary>A 64-bit integer column, quoted or not.</summary>
    public static long Int64(JsonElement row, string column)
    {
        var value = row.GetProperty(column);
        return value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetInt64();
    }

    /// <summary>A nullable string column.</summary>
    public static string? Text(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>A nullable Float64 column.</summary>
    public static double? Number(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;
}
