using System.Text.Json;
using Ingest.Decoding;
using Ingest.Pipeline;

namespace Ingest.Sources.Replay;

/// <summary>
/// <c>replay FILE</c>: reads a capture in the <c>messages.jsonl</c> format (one AMQP message per line, the body
/// in <c>body_b64</c>) and pushes every body through the same decoder, tracker, channel and flush loop as the
/// live sources. Unlike live ingest it applies backpressure instead of dropping: a capture is a bulk load.
/// </summary>
public sealed class ReplayRunner
{
    private readonly EventIngestor _ingestor;
    private readonly InvocationChannel _channel;
    private readonly TimeProvider _time;

    public ReplayRunner(EventIngestor ingestor, InvocationChannel channel, TimeProvider time)
    {
        _ingestor = ingestor;
        _channel = channel;
        _time = time;
    }

    /// <summary>Lines that were not a capture record (bad JSON, no body_b64, bad base64).</summary>
    public long BadLines { get; private set; }

    /// <summary>Seconds added to every event's timestamp (see <see cref="ShiftToEnd"/>).</summary>
    public double ShiftSeconds { get; set; }

    /// <summary>
    /// Sets <see cref="ShiftSeconds"/> so that the capture ends at <paramref name="end"/>: the last line's
    /// <c>captured_at</c> lands there and every event keeps its distance from it. Returns false if the file has no
    /// such line. One pass over the text, no decoding.
    /// </summary>
    public bool ShiftToEnd(FileInfo capture, DateTimeOffset end)
    {
        double? last = null;
        foreach (var line in File.ReadLines(capture.FullName))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("captured_at", out var at) && at.TryGetDouble(out var seconds) && double.IsFinite(seconds))
                {
                    last = seconds;
                }
            }
            catch (JsonException)
            {
                // A bad line is counted by the replay itself.
            }
        }

        if (last is null)
        {
            return false;
        }

        ShiftSeconds = (end.ToUnixTimeMilliseconds() / 1000.0) - last.Value;
        return true;
    }

    public async Task RunAsync(TextReader input, CancellationToken cancellationToken)
    {
        string? line;
        while ((line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!TryBody(line, out var body, out var capturedAt, out var content))
            {
                BadLines++;
                continue;
            }

            _ingestor.Ingest(body, "replay", ShiftSeconds, capturedAt, content);
            // A bulk load waits rather than drops: half the channel's records, or half its share of the byte budget.
            var budget = _channel.Budget;
            while (_channel.Count > _channel.Capacity / 2 || budget.ChannelPressed)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(2), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The body of one capture line, its <c>captured_at</c> (null when absent: judged against now), and its labels
    /// (<c>content_type</c>, <c>content_encoding</c>, <c>headers.compression</c>) as the broker delivered them.
    /// </summary>
    private static bool TryBody(string line, out byte[] body, out double? capturedAt, out BodyContent content)
    {
        body = [];
        capturedAt = null;
        content = default;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("body_b64", out var b64) || b64.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            body = b64.GetBytesFromBase64();
            if (doc.RootElement.TryGetProperty("captured_at", out var at) && at.ValueKind == JsonValueKind.Number
                && at.TryGetDouble(out var seconds) && double.IsFinite(seconds) && seconds > 0)
            {
                capturedAt = seconds;
            }

            var root = doc.RootElement;
            content = new BodyContent(Text(root, "content_type"), Text(root, "content_encoding"),
                root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object ? Text(headers, "compression") : null);
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A string property's value; null when absent or not a string.</summary>
    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
