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
        // Issue 29: Celery's names come unescaped; comparing their bytes with the few names of the same length skips
        // transcoding each one to chars and hashing it, a tenth of the decoder's samples in the producer profile.
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped && raw.Length < s_byLength.Length)
        {
            foreach (var (name, known) in s_byLength[raw.Length])
            {
                if (raw.SequenceEqual(name))
                {
                    field = known;
                    return true;
                }
            }

            field = default;
            return false;
        }

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

    /// <summary>The UTF-8 names, by their length: an unescaped name of another length is none of them.</summary>
    private static readonly (byte[] Name, EventField Field)[][] s_byLength = ByLength();

    private static (byte[] Name, EventField Field)[][] ByLength()
    {
        var names = Names();
        var byLength = new (byte[] Name, EventField Field)[names.Keys.Max(k => k.Length) + 1][];
        for (var length = 0; length < byLength.Length; length++)
        {
            byLength[length] = [.. names.Where(p => p.Key.Length == length).Select(p => (Encoding.UTF8.GetBytes(p.Key), p.Value))];
        }

        return byLength;
    }

    private static Dictionary<string, EventField>.AlternateLookup<ReadOnlySpan<char>> BuildFields() => Names().GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, EventField> Names()
    {
        return new Dictionary<string, EventField>(StringComparer.Ordinal)
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
    }
}
