using System.Text.Json;

namespace Ingest.Tracking;

/// <summary>
/// A descriptive text field of a task (name, args, queue, eta...) and the timestamp of the event it came from: the
/// latest event that carries it wins, so a retry's new args replace the old ones whatever order events arrive in.
/// </summary>
internal struct DescribedField
{
    private double _at;

    public string? Value { get; private set; }

    /// <summary>Keeps the value of the latest event; on a timestamp tie the ordinally greater text, so order never matters.</summary>
    public bool Offer(string? value, double at)
    {
        if (value is null)
        {
            return false;
        }

        if (value == Value)
        {
            _at = Math.Max(_at, at);
            return false;
        }

        if (Value is null || at > _at || (at == _at && string.CompareOrdinal(value, Value) > 0))
        {
            Value = value;
            _at = at;
            return true;
        }

        return false;
    }

    /// <summary>Writes <c>[value, at]</c> under <paramref name="name"/>, nothing when there is no value.</summary>
    public readonly void Write(Utf8JsonWriter w, string name)
    {
        if (Value is null)
        {
            return;
        }

        w.WriteStartArray(name);
        w.WriteStringValue(Value);
        w.WriteNumberValue(_at);
        w.WriteEndArray();
    }

    /// <summary>The field <see cref="Write"/> wrote, or none when it is absent or malformed.</summary>
    public static DescribedField Read(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2
            && v[0].ValueKind == JsonValueKind.String && v[1].ValueKind == JsonValueKind.Number
            ? new DescribedField { Value = v[0].GetString(), _at = v[1].GetDouble() }
            : default;
}
