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

    /// <summary>Replays the capture's lines, read as text (tests, and any reader the caller already has).</summary>
    public async Task RunAsync(TextReader input, CancellationToken cancellationToken)
    {
        string? line;
        while ((line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            Replay(line);
            await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replays the capture's lines read as UTF-8 bytes, the way <c>ingest replay</c> reads a file: the same lines,
    /// bodies and labels as <see cref="RunAsync(TextReader, CancellationToken)"/>, without a string, a JSON document
    /// and an array per line (issue 29: those were a third of the replay's producer time, work no broker source does).
    /// </summary>
    public async Task RunAsync(Stream input, CancellationToken cancellationToken)
    {
        var lines = new CaptureLineSplitter(input);
        var scratch = new byte[64 * 1024];
        while (await lines.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            var line = lines.Current;
            if (lines.TooLong)
            {
                BadLines++;
                continue;
            }

            if (IsBlank(line))
            {
                continue;
            }

            // A bare carriage return ends a line for a text reader: such a line is left to it, as is anything unusual.
            if (line.TrimEnd((byte)'\r').IndexOf((byte)'\r') < 0
                && CaptureRecord.TryParseUtf8(line, ref scratch, out var length, out var capturedAt, out var content))
            {
                _ingestor.Ingest(scratch.AsSpan(0, length), "replay", ShiftSeconds, capturedAt, content);
            }
            else
            {
                using var text = new StringReader(System.Text.Encoding.UTF8.GetString(line));
                while (text.ReadLine() is { } part)
                {
                    Replay(part);
                }
            }

            await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One line read as text: skipped when blank, counted when not a capture record, ingested otherwise.</summary>
    private void Replay(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        if (!CaptureRecord.TryParse(line, out var body, out var capturedAt, out var content))
        {
            BadLines++;
            return;
        }

        _ingestor.Ingest(body, "replay", ShiftSeconds, capturedAt, content);
    }

    /// <summary>A bulk load waits rather than drops: half the channel's records, or half its share of the byte budget.</summary>
    private async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var budget = _channel.Budget;
        while (_channel.Count > _channel.Capacity / 2 || budget.ChannelPressed)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Only ASCII white space (what <see cref="string.IsNullOrWhiteSpace"/> says of such a line).</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r\v\f"u8) < 0;
}
