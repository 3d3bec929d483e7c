using Ingest.Accounting;
using Ingest.Tracking;
using System.Text.Json;
using static Ingest.Decoding.EventValueReader;

namespace Ingest.Decoding;

/// <summary>
/// Reads one element of a body into a <see cref="CeleryEvent"/>: each known field as its type wants (see
/// <see cref="EventValueReader"/>), free-text fields redacted and cut, identifiers rid of control characters, then
/// the event judged whole: a usable type, a task id for task events, a believable timestamp. Stateless past its
/// options; thread-safe.
/// </summary>
internal sealed class CeleryEventReader
{
    /// <summary>Longest task id accepted (a longer uuid is <see cref="RejectReason.WrongType"/>); root and parent ids are cut to it.</summary>
    private const int MaxTaskIdChars = 255;

    private readonly DecoderOptions _options;
    private readonly Redactor? _redactor;
    private readonly Utf8NameCache _names = new();

    public CeleryEventReader(DecoderOptions options)
    {
        _options = options;
        _redactor = Redactor.Create(options.RedactKeys);
    }

    /// <summary>Names that replaced an older one in the full name cache (<see cref="Utf8NameCache.Evictions"/>).</summary>
    public long NameCacheEvictions => _names.Evictions;

    /// <summary>
    /// Reads the element at the reader (it ends past it): an accepted event is added to <paramref name="result"/>,
    /// a refused one counted there by reason. <paramref name="arrival"/> stands in for a missing or unbelievable timestamp.
    /// </summary>
    public void ReadElement(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, double arrival)
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
            var known = EventFieldNames.TryRead(ref reader, nameBuffer, out var field);
            reader.Read();
            if (!known)
            {
                reader.Skip();
                continue;
            }

            switch (field)
            {
                case EventField.Type:
                    typeName = TryCached(ref reader, 64, out var cachedType) ? cachedType : ReadText(ref reader, body, result, ref typeWrong, 64);
                    break;
                case EventField.Uuid:
                    e.Uuid = ControlCharacters.Remove(ReadText(ref reader, body, result, ref uuidWrong, MaxTaskIdChars + 1), result);
                    break;
                case EventField.Timestamp:
                    timestamp = ReadDouble(ref reader, ref timestampWrong);
                    break;
                case EventField.Hostname: e.Hostname = ReadName(ref reader, body, result, 1024); break;
                case EventField.Pid: e.Pid = InRange(ReadInt(ref reader, result), 0, int.MaxValue, result); break;
                case EventField.Clock: e.Clock = ReadLong(ref reader, result); break;
                case EventField.UtcOffset: e.UtcOffset = InRange(ReadInt(ref reader, result), -24, 24, result); break;
                case EventField.Name: e.Name = ReadName(ref reader, body, result, 1024); break;
                case EventField.Args: e.Args = ReadRepr(ref reader, body, result); break;
                case EventField.Kwargs: e.Kwargs = ReadRepr(ref reader, body, result); break;
                case EventField.Result: e.Result = ReadRepr(ref reader, body, result); break;
                case EventField.Exception: e.Exception = ReadRepr(ref reader, body, result); break;
                case EventField.Traceback: e.Traceback = ReadText(ref reader, body, result, _options.MaxFieldChars); break;
                case EventField.RootId: e.RootId = SameAsUuid(ref reader, e.Uuid) ?? ReadId(ref reader, body, result, MaxTaskIdChars); break;
                case EventField.ParentId: e.ParentId = ReadId(ref reader, body, result, MaxTaskIdChars); break;
                case EventField.Queue: e.Queue = ReadName(ref reader, body, result, 1024); break;
                case EventField.RoutingKey: e.RoutingKey = ReadName(ref reader, body, result, 1024); break;
                case EventField.Exchange: e.Exchange = ReadName(ref reader, body, result, 1024); break;
                case EventField.Eta: e.Eta = ReadId(ref reader, body, result, 64); break;
                case EventField.Expires: e.Expires = ReadId(ref reader, body, result, 64); break;
                case EventField.Retries: e.Retries = InRange(ReadInt(ref reader, result), 0, CeleryEventDecoder.MaxRetries, result); break;
                case EventField.Runtime: e.Runtime = InRange(ReadDouble(ref reader, result), 0, CeleryEventDecoder.MaxRuntimeSeconds, result); break;
                case EventField.Terminated: e.Terminated = ReadBool(ref reader, result); break;
                case EventField.Expired: e.Expired = ReadBool(ref reader, result); break;
                case EventField.Signum: e.Signum = InRange(ReadInt(ref reader, result), 0, 255, result); break;
                case EventField.Requeue: e.Requeue = ReadBool(ref reader, result); break;
                case EventField.Freq: e.Freq = InRange(ReadDouble(ref reader, result), 0, 86_400, result); break;
                case EventField.Active: e.Active = InRange(ReadInt(ref reader, result), 0, int.MaxValue, result); break;
                case EventField.Processed: e.Processed = InRange(ReadLong(ref reader, result), 0, long.MaxValue, result); break;
                case EventField.LoadAverage: e.LoadAverage = ReadDoubles(ref reader, result); break;
                case EventField.SwIdent: e.SoftwareIdent = ReadName(ref reader, body, result, 256); break;
                case EventField.SwVer: e.SoftwareVersion = ReadName(ref reader, body, result, 256); break;
                case EventField.SwSys: e.SoftwareSystem = ReadName(ref reader, body, result, 256); break;
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

        e.Timestamp = EventTimestamps.Check(timestamp, timestampWrong, arrival, _options, result);
        result.Events.Add(e);
    }

    /// <summary>
    /// An identifier (id, time, name, hostname, queue, version): text without control characters, which would
    /// otherwise be stored, matched and exported to <c>/metrics</c> labels raw (issue 24).
    /// </summary>
    private static string? ReadId(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, int maxChars) =>
        ControlCharacters.Remove(ReadText(ref reader, body, result, maxChars), result);

    /// <summary>A name the fleet repeats (task name, hostname, queue, version): one shared string per name when it can be.</summary>
    private string? ReadName(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, DecodedBody result, int maxChars) =>
        TryCached(ref reader, maxChars, out var name) ? name : ReadId(ref reader, body, result, maxChars);

    /// <summary>
    /// The value's string from the name cache, when it is a plain string of printable ASCII within the field's
    /// limit: nothing to unescape, cut, repair or remove, so the string is exactly what reading it would give.
    /// </summary>
    private bool TryCached(ref Utf8JsonReader reader, int maxChars, out string name)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
            && reader.ValueSpan.Length <= maxChars && Utf8NameCache.Fits(reader.ValueSpan))
        {
            name = _names.Get(reader.ValueSpan);
            return true;
        }

        name = null!;
        return false;
    }

    /// <summary>
    /// The event's own uuid string when the root id is the same text (a root task names itself): one string for
    /// both, not a second copy per event. Null otherwise, and the value is then read as usual.
    /// </summary>
    private static string? SameAsUuid(ref Utf8JsonReader reader, string? uuid) =>
        uuid is { Length: <= MaxTaskIdChars } && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
        && System.Text.Ascii.Equals(reader.ValueSpan, uuid) ? uuid : null;

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
}
