using System.Text.Json;
using Ingest.Storage.Details;

namespace Ingest.Tracking;

/// <summary>
/// A descriptive text field of a task (name, args, queue, eta...) and the timestamp of the event it came from: the
/// latest event that carries it wins, so a retry's new args replace the old ones whatever order events arrive in.
/// A field offered with <c>compact</c> (args, kwargs) holds a long text as <see cref="CompactText"/> (issue 29): the
/// string the decoder made dies young, and what waits in the tracker is its compressed bytes.
/// </summary>
internal struct DescribedField
{
    private double _at;

    // The value: a string, or (for a long text offered compact) a CompactText.
    private object? _held;

    /// <summary>The value as a string; a compact one is made a string here, each time.</summary>
    public readonly string? Value => CompactText.Text(_held);

    /// <summary>The value as held: the string, the compact form, or null.</summary>
    public readonly object? Held => _held;

    /// <summary>
    /// Keeps the value of the latest event; on a timestamp tie the ordinally greater text, so order never matters.
    /// With <paramref name="compact"/>, a text of <see cref="CompactText.MinChars"/> or more is held compact.
    /// </summary>
    public bool Offer(string? value, double at, bool compact = false)
    {
        if (value is null)
        {
            return false;
        }

        if (Same(value))
        {
            _at = Math.Max(_at, at);
            return false;
        }

        if (_held is null || at > _at || (at == _at && string.CompareOrdinal(value, Value) > 0))
        {
            _held = compact ? CompactText.Hold(value) : value;
            _at = at;
            return true;
        }

        return false;
    }

    /// <summary>Writes <c>[value, at]</c> under <paramref name="name"/>, nothing when there is no value.</summary>
    public readonly void Write(Utf8JsonWriter w, string name)
    {
        if (_held is null)
        {
            return;
        }

        w.WriteStartArray(name);
        if (_held is CompactText compact)
        {
            WriteUtf8(w, compact);
        }
        else
        {
            w.WriteStringValue((string)_held);
        }

        w.WriteNumberValue(_at);
        w.WriteEndArray();
    }

    /// <summary>A compact text written from its UTF-8. Its own method: a lambda over <c>w</c> in <see cref="Write"/> was a closure on every call.</summary>
    private static void WriteUtf8(Utf8JsonWriter w, CompactText compact)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, compact.Utf8Length));
        try
        {
            w.WriteStringValue(rented.AsSpan(0, compact.CopyUtf8To(rented)));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The field <see cref="Write"/> wrote, or none when it is absent or malformed; a long text held compact again with <paramref name="compact"/>.</summary>
    public static DescribedField Read(JsonElement e, string name, bool compact = false)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 2
            || v[0].ValueKind != JsonValueKind.String || v[1].ValueKind != JsonValueKind.Number)
        {
            return default;
        }

        var text = v[0].GetString();
        return new DescribedField { _held = compact ? CompactText.Hold(text) : text, _at = v[1].GetDouble() };
    }

    /// <summary>Whether <paramref name="value"/> is the text held (a compact one compared without a string).</summary>
    private readonly bool Same(string value) => _held switch
    {
        string text => value == text,
        CompactText compact => compact.Length == value.Length && compact.Equals(CompactText.Of(value)),
        _ => false,
    };
}
