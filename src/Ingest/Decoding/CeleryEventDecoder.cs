using System.Text;
using System.Text.Json;

namespace Ingest.Decoding;

/// <summary>
/// Decodes a Celery event body: one JSON object, or an array of them (<c>task.multi</c>, possibly empty).
/// It never throws on bad input: each bad element is counted by reason and skipped, and the good elements
/// around it are kept. Stateless and thread-safe.
/// </summary>
public sealed class CeleryEventDecoder
{
    /// <summary>Earliest believable event time: 2000-01-01T00:00:00Z.</summary>
    public const double MinTimestamp = 946_684_800;

    private const int MaxTaskIdChars = 255;

    /// <summary>Longest believable runtime (115 days); Celery reports seconds as a float.</summary>
    public const double MaxRuntimeSeconds = 1e7;

    /// <summary>Most retries believable for one task id.</summary>
    public const int MaxRetries = 1_000_000;

    private static readonly Dictionary<string, Field>.AlternateLookup<ReadOnlySpan<char>> s_fields = BuildFields();

    private readonly DecoderOptions _options;
    private readonly TimeProvider _time;
    private readonly Redactor? _redactor;

    public CeleryEventDecoder(DecoderOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _redactor = Redactor.Create(options.RedactKeys);
    }

    private enum Field
    {
        Type, Uuid, Hostname, Timestamp, Pid, Clock, UtcOffset, Name, Args, Kwargs, Result, Exception, Traceback,
        RootId, ParentId, Queue, RoutingKey, Exchange, Eta, Expires, Retries, Runtime, Terminated, Expired, Signum,
        Requeue, Freq, Active, Processed, LoadAverage, SwIdent, SwVer, SwSys,
    }

    /// <summary>Decodes one body.</summary>
    /// <param name="body">The message body.</param>
    /// <param name="arrivalSeconds">
    /// When the body reached Ingest, Unix seconds; by default now. Replay passes each message's capture time, so a
    /// capture is judged against the clock it was recorded on rather than the day it is replayed.
    /// </param>
    public DecodedBody Decode(ReadOnlySpan<byte> body, double? arrivalSeconds = null)
    {
        var result = new DecodedBody();
        if (body.Length > _options.MaxBodyBytes)
        {
            result.Reject(RejectReason.TooLarge);
            result.MalformedError = $"body of {body.Length} bytes is over the limit of {_options.MaxBodyBytes}";
            return result;
        }

        var arrival = arrivalSeconds ?? _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                result.Reject(RejectReason.MalformedJson);
                result.MalformedError = "empty body";
                return result;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                result.WasBatch = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    DecodeElement(ref reader, body, result, arrival);
                }
            }
            else
            {
                DecodeElement(ref reader, body, result, arrival);
            }

            if (reader.Read())
            {
                throw new JsonException($"unexpected data after the end of the JSON value at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            result.Reject(RejectReason.MalformedJson);
            result.MalformedError = e.Message;
        }

        return result;
    }

    private void DecodeElement(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, double arrival)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            result.Reject(RejectReason.NotAnObject);
            return;
        }

        var e = new CeleryEvent();
        string? typeName = null;
        var typeWrong = false;
        var uuidWrong = false;
        double? timestamp = null;
        var timestampWrong = false;
        Span<char> nameBuffer = stackalloc char[32];

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var known = TryField(ref reader, nameBuffer, out var field);
            reader.Read();
            if (!known)
            {
                reader.Skip();
                continue;
            }

            switch (field)
            {
                case Field.Type:
                    typeName = ReadText(ref reader, body, result, ref typeWrong, 64);
                    break;
                case Field.Uuid:
                    e.Uuid = ReadText(ref reader, body, result, ref uuidWrong, MaxTaskIdChars + 1);
                    break;
                case Field.Timestamp:
                    timestamp = ReadDouble(ref reader, ref timestampWrong);
                    break;
                case Field.Hostname: e.Hostname = ReadText(ref reader, body, result, 1024); break;
                case Field.Pid: e.Pid = InRange(ReadInt(ref reader, result), 0, int.MaxValue, result); break;
                case Field.Clock: e.Clock = ReadLong(ref reader, result); break;
                case Field.UtcOffset: e.UtcOffset = InRange(ReadInt(ref reader, result), -24, 24, result); break;
                case Field.Name: e.Name = ReadText(ref reader, body, result, 1024); break;
                case Field.Args: e.Args = ReadRepr(ref reader, body, result); break;
                case Field.Kwargs: e.Kwargs = ReadRepr(ref reader, body, result); break;
                case Field.Result: e.Result = ReadRepr(ref reader, body, result); break;
                case Field.Exception: e.Exception = ReadRepr(ref reader, body, result); break;
                case Field.Traceback: e.Traceback = ReadText(ref reader, body, result, _options.MaxFieldChars); break;
                case Field.RootId: e.RootId = ReadText(ref reader, body, result, MaxTaskIdChars); break;
                case Field.ParentId: e.ParentId = ReadText(ref reader, body, result, MaxTaskIdChars); break;
                case Field.Queue: e.Queue = ReadText(ref reader, body, result, 1024); break;
                case Field.RoutingKey: e.RoutingKey = ReadText(ref reader, body, result, 1024); break;
                case Field.Exchange: e.Exchange = ReadText(ref reader, body, result, 1024); break;
                case Field.Eta: e.Eta = ReadText(ref reader, body, result, 64); break;
                case Field.Expires: e.Expires = ReadText(ref reader, body, result, 64); break;
                case Field.Retries: e.Retries = InRange(ReadInt(ref reader, result), 0, MaxRetries, result); break;
                case Field.Runtime: e.Runtime = InRange(ReadDouble(ref reader, result), 0, MaxRuntimeSeconds, result); break;
                case Field.Terminated: e.Terminated = ReadBool(ref reader, result); break;
                case Field.Expired: e.Expired = ReadBool(ref reader, result); break;
                case Field.Signum: e.Signum = InRange(ReadInt(ref reader, result), 0, 255, result); break;
                case Field.Requeue: e.Requeue = ReadBool(ref reader, result); break;
                case Field.Freq: e.Freq = InRange(ReadDouble(ref reader, result), 0, 86_400, result); break;
                case Field.Active: e.Active = InRange(ReadInt(ref reader, result), 0, int.MaxValue, result); break;
                case Field.Processed: e.Processed = InRange(ReadLong(ref reader, result), 0, long.MaxValue, result); break;
                case Field.LoadAverage: e.LoadAverage = ReadDoubles(ref reader, result); break;
                case Field.SwIdent: e.SoftwareIdent = ReadText(ref reader, body, result, 256); break;
                case Field.SwVer: e.SoftwareVersion = ReadText(ref reader, body, result, 256); break;
                case Field.SwSys: e.SoftwareSystem = ReadText(ref reader, body, result, 256); break;
            }
        }

        if (typeWrong)
        {
            result.Reject(RejectReason.WrongType);
            return;
        }

        if (typeName is null)
        {
            result.Reject(RejectReason.MissingType);
            return;
        }

        if (!CeleryEventTypes.TryParse(typeName, out var type))
        {
            result.Reject(RejectReason.UnknownType);
            return;
        }

        e.Type = type;
        if (type.IsTaskEvent())
        {
            if (uuidWrong || e.Uuid is { Length: > MaxTaskIdChars })
            {
                result.Reject(RejectReason.WrongType);
                return;
            }

            if (string.IsNullOrWhiteSpace(e.Uuid))
            {
                result.Reject(RejectReason.MissingUuid);
                return;
            }
        }

        e.Timestamp = CheckTimestamp(timestamp, timestampWrong, arrival, result);
        result.Events.Add(e);
    }

    private double CheckTimestamp(double? timestamp, bool wrongType, double arrival, DecodedBody result)
    {
        if (timestamp is not { } ts || wrongType)
        {
            result.Note(Repair.TimestampMissing);
            return arrival;
        }

        if (double.IsNaN(ts) || ts < MinTimestamp || ts > arrival + _options.MaxFutureSkew.TotalSeconds)
        {
            result.Note(Repair.TimestampOutOfRange);
            return arrival;
        }

        return ts;
    }

    private static bool TryField(ref Utf8JsonReader reader, scoped Span<char> buffer, out Field field)
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

    private string? ReadRepr(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.Number
            or JsonTokenType.True or JsonTokenType.False)
        {
            // Not Celery's saferepr string but some other producer's JSON value: keep its JSON text verbatim.
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return Redacted(LenientJsonString.Decode(body[start..(int)reader.BytesConsumed]), result);
        }

        return ReadText(ref reader, body, result, int.MaxValue) is { } text ? Redacted(text, result) : null;
    }

    /// <summary>Masks secret-looking values (before the cut, so a marker never hides a half-masked value), then cuts to the limit.</summary>
    private string Redacted(string text, DecodedBody result)
    {
        if (_redactor is not null)
        {
            text = _redactor.Redact(text, out var masked);
            result.Repaired[(int)Repair.Redacted] += masked;
        }

        return Truncate(text, _options.MaxFieldChars, result);
    }

    private static string? ReadText(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, int maxChars)
    {
        var wrong = false;
        var text = ReadText(ref reader, body, result, ref wrong, maxChars);
        if (wrong)
        {
            result.Note(Repair.FieldWrongType);
        }

        return text;
    }

    private static string? ReadText(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, ref bool wrongType, int maxChars)
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

    private static string Truncate(string text, int maxChars, DecodedBody result)
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
    private static T? InRange<T>(T? value, T min, T max, DecodedBody result)
        where T : struct, IComparable<T>
    {
        if (value is { } v && (v.CompareTo(min) < 0 || v.CompareTo(max) > 0))
        {
            result.Note(Repair.ValueOutOfRange);
            return null;
        }

        return value;
    }

    private static double? ReadDouble(ref Utf8JsonReader reader, ref bool wrongType)
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

    private static double? ReadDouble(ref Utf8JsonReader reader, DecodedBody result)
    {
        var wrong = false;
        var value = ReadDouble(ref reader, ref wrong);
        if (wrong)
        {
            result.Note(Repair.FieldWrongType);
        }

        return value;
    }

    private static int? ReadInt(ref Utf8JsonReader reader, DecodedBody result)
    {
        // TryGetInt32 refuses what does not fit, so a huge retries or pid is counted, never wrapped to a negative.
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return value;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            result.Note(Repair.FieldWrongType);
        }

        reader.Skip();
        return null;
    }

    private static long? ReadLong(ref Utf8JsonReader reader, DecodedBody result)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            result.Note(Repair.FieldWrongType);
        }

        reader.Skip();
        return null;
    }

    private static bool? ReadBool(ref Utf8JsonReader reader, DecodedBody result)
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

    private static double[]? ReadDoubles(ref Utf8JsonReader reader, DecodedBody result)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (reader.TokenType != JsonTokenType.Null)
            {
                result.Note(Repair.FieldWrongType);
            }

            reader.Skip();
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

    private static Dictionary<string, Field>.AlternateLookup<ReadOnlySpan<char>> BuildFields()
    {
        var map = new Dictionary<string, Field>(StringComparer.Ordinal)
        {
            ["type"] = Field.Type, ["uuid"] = Field.Uuid, ["hostname"] = Field.Hostname, ["timestamp"] = Field.Timestamp,
            ["pid"] = Field.Pid, ["clock"] = Field.Clock, ["utcoffset"] = Field.UtcOffset, ["name"] = Field.Name,
            ["args"] = Field.Args, ["kwargs"] = Field.Kwargs, ["result"] = Field.Result, ["exception"] = Field.Exception,
            ["traceback"] = Field.Traceback, ["root_id"] = Field.RootId, ["parent_id"] = Field.ParentId,
            ["queue"] = Field.Queue, ["routing_key"] = Field.RoutingKey, ["exchange"] = Field.Exchange, ["eta"] = Field.Eta,
            ["expires"] = Field.Expires, ["retries"] = Field.Retries, ["runtime"] = Field.Runtime,
            ["terminated"] = Field.Terminated, ["expired"] = Field.Expired, ["signum"] = Field.Signum,
            ["requeue"] = Field.Requeue, ["freq"] = Field.Freq, ["active"] = Field.Active, ["processed"] = Field.Processed,
            ["loadavg"] = Field.LoadAverage, ["sw_ident"] = Field.SwIdent, ["sw_ver"] = Field.SwVer, ["sw_sys"] = Field.SwSys,
        };
        return map.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
