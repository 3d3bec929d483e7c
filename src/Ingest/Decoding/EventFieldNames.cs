using System.Text;
using System.Text.Json;

namespace Ingest.Decoding;

/// <summary>Celery's property names for the <see cref="EventField"/>s, looked up without allocating a string per property.</summary>
internal static class EventFieldNames
{
    private static readonly Dictionary<string, EventField>.AlternateLookup<ReadOnlySpan<char>> s_fields = BuildFields();

    /// <summary>
    /// The field the reader's current property name is, when it is one; false for any other (or one longer than
    /// <paramref name="buffer"/> can hold, which no known name is).
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, scoped Span<char> buffer, out EventField field)
    {
        field = default;
        if (reader.ValueSpan.Length > buffer.Length * 6)
        {
            return false;
        }

        int length;
        try
        {
            length = reader.ValueIsEscaped ? reader.CopyString(buffer) : Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }

        return s_fields.TryGetValue(buffer[..length], out field);
    }

    private static Dictionary<string, EventField>.AlternateLookup<ReadOnlySpan<char>> BuildFields()
    {
        var map = new Dictionary<string, EventField>(StringComparer.Ordinal)
        {
            ["type"] = EventField.Type, ["uuid"] = EventField.Uuid, ["hostname"] = EventField.Hostname, ["timestamp"] = EventField.Timestamp,
            ["pid"] = EventField.Pid, ["clock"] = EventField.Clock, ["utcoffset"] = EventField.UtcOffset, ["name"] = EventField.Name,
            ["args"] = EventField.Args, ["kwargs"] = EventField.Kwargs, ["result"] = EventField.Result, ["exception"] = EventField.Exception,
            ["traceback"] = EventField.Traceback, ["root_id"] = EventField.RootId, ["parent_id"] = EventField.ParentId,
            ["queue"] = EventField.Queue, ["routing_key"] = EventField.RoutingKey, ["exchange"] = EventField.Exchange, ["eta"] = EventField.Eta,
            ["expires"] = EventField.Expires, ["retries"] = EventField.Retries, ["runtime"] = EventField.Runtime,
            ["terminated"] = EventField.Terminated, ["expired"] = EventField.Expired, ["signum"] = EventField.Signum,
            ["requeue"] = EventField.Requeue, ["freq"] = EventField.Freq, ["active"] = EventField.Active, ["processed"] = EventField.Processed,
            ["loadavg"] = EventField.LoadAverage, ["sw_ident"] = EventField.SwIdent, ["sw_ver"] = EventField.SwVer, ["sw_sys"] = EventField.SwSys,
        };
        return map.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
