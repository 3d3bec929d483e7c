using Ingest.Accounting;
using System.Text.Json;

namespace Ingest.Decoding;

/// <summary>
/// Reads one property's value as the type its field wants. A value of another JSON type is skipped and counted
/// (<see cref="Repair.FieldWrongType"/>), never thrown on: one odd field must not cost the rest of the event.
/// </summary>
internal static class EventValueReader
{
    /// <summary>A string (or null), cut to <paramref name="maxChars"/>; anything else is skipped and counted.</summary>
    public static string? ReadText(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, int maxChars)
    {
        var wrong = false;
        var text = ReadText(ref reader, body, result, ref wrong, maxChars);
        if (wrong)
        {
            result.Note(Repair.FieldWrongType);
        }

        return text;
    }

    /// <summary>A string (or null), cut to <paramref name="maxChars"/>; anything else is skipped and flagged in <paramref name="wrongType"/> for the caller to judge.</summary>
    public static string? ReadText(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, ref bool wrongType, int maxChars)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                break;
            default:
                reader.Skip();
                wrongType = true;
                return null;
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            text = LenientJsonString.Decode(reader.ValueSpan);
            result.Note(Repair.InvalidText);
        }

        return Truncate(text, maxChars, result);
    }

    /// <summary>The text, or its first <paramref name="maxChars"/> (never half a surrogate pair) with a marker saying how long it was.</summary>
    public static string Truncate(string text, int maxChars, DecodedBody result)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        result.Note(Repair.FieldTruncated);
        var keep = maxChars;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), $"…[truncated by ingest: {text.Length} chars]");
    }

    /// <summary>The value if it lies in [min, max]; otherwise null, counted as <see cref="Repair.ValueOutOfRange"/>.</summary>
    public static T? InRange<T>(T? value, T min, T max, DecodedBody result)
        where T : struct, IComparable<T>
    {
        if (value is { } v && (v.CompareTo(min) < 0 || v.CompareTo(max) > 0))
        {
            result.Note(Repair.ValueOutOfRange);
            return null;
        }

        return value;
    }

    /// <summary>A finite number (or null); anything else is skipped and flagged in <paramref name="wrongType"/> for the caller to judge.</summary>
    public static double? ReadDouble(ref Utf8JsonReader reader, ref bool wrongType)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value))
        {
            return value;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            wrongType = true;
        }

        reader.Skip();
        return null;
    }

    /// <summary>A finite number (or null); anything else is skipped and counted.</summary>
    public static double? ReadDouble(ref Utf8JsonReader reader, DecodedBody result)
    {
        var wrong = false;
        var value = ReadDouble(ref reader, ref wrong);
        if (wrong)
        {
            result.Note(Repair.FieldWrongType);
        }

        return value;
    }

    /// <summary>A number that fits an int (or null); anything else is skipped and counted.</summary>
    public static int? ReadInt(ref Utf8JsonReader reader, DecodedBody result)
    {
        // TryGetInt32 refuses what does not fit, so a huge retries or pid is counted, never wrapped to a negative.
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return value;
        }

        SkipWrongType(ref reader, result);
        return null;
    }

    /// <summary>A number that fits a long (or null); anything else is skipped and counted.</summary>
    public static long? ReadLong(ref Utf8JsonReader reader, DecodedBody result)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        SkipWrongType(ref reader, result);
        return null;
    }

    /// <summary>true, false or null; anything else is skipped and counted.</summary>
    public static bool? ReadBool(ref Utf8JsonReader reader, DecodedBody result)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Null: return null;
            default:
                reader.Skip();
                result.Note(Repair.FieldWrongType);
                return null;
        }
    }

    /// <summary>Up to 8 of an array's numbers that are finite and not negative (a load average); one out of range is dropped and counted.</summary>
    public static double[]? ReadDoubles(ref Utf8JsonReader reader, DecodedBody result)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            SkipWrongType(ref reader, result);
            return null;
        }

        var values = new List<double>(3);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var v) && values.Count < 8)
            {
                if (double.IsFinite(v) && v >= 0)
                {
                    values.Add(v);
                }
                else
                {
                    result.Note(Repair.ValueOutOfRange);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return [.. values];
    }

    /// <summary>A value not of the field's type: skipped, and counted unless it is null (an absent value, not a wrong one).</summary>
    private static void SkipWrongType(ref Utf8JsonReader reader, DecodedBody result)
    {
        if (reader.TokenType != JsonTokenType.Null)
        {
            result.Note(Repair.FieldWrongType);
        }

        reader.Skip();
    }
}
