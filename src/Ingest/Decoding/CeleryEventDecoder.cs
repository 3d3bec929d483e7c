using System.Text.Json;

namespace Ingest.Decoding;

/// <summary>
/// Decodes a Celery event body: one JSON object, or an array of them (<c>task.multi</c>, possibly empty).
/// It never throws on bad input: each bad element is counted by reason and skipped, and the good elements
/// around it are kept. Stateless and thread-safe. The body's shape (size, array or object, trailing data) is
/// judged here; each element is read by a <see cref="CeleryEventReader"/>.
/// </summary>
public sealed class CeleryEventDecoder
{
    /// <summary>Earliest believable event time: 2000-01-01T00:00:00Z.</summary>
    public const double MinTimestamp = 946_684_800;

    /// <summary>Longest believable runtime (115 days); Celery reports seconds as a float.</summary>
    public const double MaxRuntimeSeconds = 1e7;

    /// <summary>Most retries believable for one task id.</summary>
    public const int MaxRetries = 1_000_000;

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

        var arrival = EventTimestamps.Arrival(arrivalSeconds, _time);
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
            result.Reject(RejectReason.MalformedJson);
            result.MalformedError = e.Message;
        }

        return result;
    }
}
