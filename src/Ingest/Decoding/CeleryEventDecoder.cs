using Ingest.Accounting;
using System.Text.Json;

namespace Ingest.Decoding;

/// <summary>
/// Decodes a Celery event body: one JSON object, or an array of them (<c>task.multi</c>, possibly empty).
/// It never throws on bad input: each bad element is counted by reason and skipped, and the good elements
/// around it are kept. Stateless and thread-safe. The body's labels (content type, charset, compression: see
/// <see cref="BodyUnwrapper"/>) and shape (size, nesting, array or object, trailing data) are judged here; each
/// element is read by a <see cref="CeleryEventReader"/>.
/// </summary>
public sealed class CeleryEventDecoder
{
    /// <summary>Earliest believable event time: 2000-01-01T00:00:00Z.</summary>
    public const double MinTimestamp = 946_684_800;

    /// <summary>Longest believable runtime (115 days); Celery reports seconds as a float.</summary>
    public const double MaxRuntimeSeconds = 1e7;

    /// <summary>Most retries believable for one task id.</summary>
    public const int MaxRetries = 1_000_000;

    /// <summary>Deepest JSON nesting read; a Celery body is two deep (an array of objects). Deeper is <see cref="RejectReason.NestingTooDeep"/>.</summary>
    public const int MaxDepth = 64;

    private readonly DecoderOptions _options;
    private readonly TimeProvider _time;
    private readonly CeleryEventReader _events;

    /// <summary>A decoder enforcing <paramref name="options"/>, judging timestamps against <paramref name="time"/>.</summary>
    public CeleryEventDecoder(DecoderOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _events = new CeleryEventReader(options);
    }

    /// <summary>
    /// Names (task names, hosts, queues) the decoder's capped name cache let go for a newer one: a fleet with more
    /// distinct names than the cache holds shows here, and pays a string per event for them (issue 29).
    /// </summary>
    public long NameCacheEvictions => _events.NameCacheEvictions;

    /// <summary>Decodes one body.</summary>
    /// <param name="body">The message body.</param>
    /// <param name="arrivalSeconds">
    /// When the body reached Ingest, Unix seconds; by default now. Replay passes each message's capture time, so a
    /// capture is judged against the clock it was recorded on rather than the day it is replayed.
    /// </param>
    /// <param name="content">
    /// What the transport says the body is. A content type other than JSON, a charset other than UTF-8 or a
    /// compression Ingest does not read refuses the body unread; zlib and gzip are inflated up to the body limit.
    /// </param>
    public DecodedBody Decode(ReadOnlySpan<byte> body, double? arrivalSeconds = null, BodyContent content = default)
    {
        var result = new DecodedBody();
        if (body.Length > _options.MaxBodyBytes)
        {
            result.RejectBody(RejectReason.TooLarge, $"body of {body.Length} bytes is over the limit of {_options.MaxBodyBytes}");
            return result;
        }

        if (BodyUnwrapper.Check(content, out var compressed, out var refusal) is { } refused)
        {
            result.RejectBody(refused, refusal!);
            return result;
        }

        if (!compressed)
        {
            Parse(body, result, arrivalSeconds);
            return result;
        }

        var inflated = BodyUnwrapper.Inflate(body, _options.MaxBodyBytes, out var length, out var reason, out var error);
        if (inflated is null)
        {
            result.RejectBody(reason, error!);
            return result;
        }

        Parse(inflated.AsSpan(0, length), result, arrivalSeconds);
        return result;
    }

    private void Parse(ReadOnlySpan<byte> body, DecodedBody result, double? arrivalSeconds)
    {
        var arrival = EventTimestamps.Arrival(arrivalSeconds, _time);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read())
            {
                result.RejectBody(RejectReason.MalformedJson, "empty body");
                return;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                result.WasBatch = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    _events.ReadElement(ref reader, body, result, arrival);
                }
            }
            else
            {
                _events.ReadElement(ref reader, body, result, arrival);
            }

            if (reader.Read())
            {
                throw new JsonException($"unexpected data after the end of the JSON value at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            // The reader refuses a nesting bomb with the same exception as a syntax error; the operator needs to
            // know which one arrived (issue 24).
            if (JsonNesting.Exceeds(body, MaxDepth))
            {
                result.RejectBody(RejectReason.NestingTooDeep, $"JSON nested deeper than {MaxDepth} levels");
            }
            else
            {
                result.RejectBody(RejectReason.MalformedJson, EscapedSample.Of(e.Message, 256));
            }
        }
    }
}
