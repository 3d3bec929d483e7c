using System.Text.Json;

namespace Ingest.Tracking;

/// <summary>
/// How a task's merge state is spelled in its checkpoint row (<see cref="TaskMerge.WriteSnapshot"/>): short names,
/// absent values left out. Rows outlive the process that wrote them, so these conventions are a format.
/// </summary>
internal static class SnapshotJson
{
    // -Infinity ("never") is not JSON: it is left out and read back as -Infinity.
    public static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
    }

    /// <summary>Writes the number, or nothing when there is none.</summary>
    public static void WriteNumber(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    /// <summary>Writes the boolean, or nothing when there is none.</summary>
    public static void WriteBool(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
    }

    /// <summary>The string property <paramref name="name"/>, or null when absent or not a string.</summary>
    public static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The number property <paramref name="name"/>, or null when absent or not a number.</summary>
    public static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>The boolean property <paramref name="name"/>, or null when absent or not a boolean.</summary>
    public static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
