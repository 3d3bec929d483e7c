using Ingest.Accounting;
using Ingest.Sources;
using System.Text;
using System.Text.Json;
using Ingest.Decoding;
using Ingest.Pipeline;
using Ingest.Sources.Replay;
using Ingest.Tests.Pipeline;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Sources.Replay;

public class ReplayRunnerTests
{
    private static readonly DateTimeOffset s_capturedAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static double CapturedAt => s_capturedAt.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>
    /// Issue 15: the future-skew limit (5 min) is judged against when each message was captured, not when the
    /// capture is replayed. A capture replayed on a clock behind it keeps its times; an event dated an hour past
    /// its own capture is re-dated to the capture time and counted.
    /// </summary>
    [Theory]
    [InlineData(-1)] // replayed on a clock a day behind the capture (faketime -1d)
    [InlineData(400)] // replayed long after it was recorded
    public async Task Replay_JudgesFutureTimestampsAgainstEachMessagesCaptureTime(int replayDaysAfterCapture)
    {
        var capture = string.Join('\n',
            Line(CapturedAt, Event("task-succeeded", "honest", CapturedAt - 2)),
            Line(CapturedAt, Event("task-succeeded", "ahead", CapturedAt + 3600)),
            Line(CapturedAt, Event("task-succeeded", "slightly-ahead", CapturedAt + 60)));

        var (written, counters) = await ReplayAsync(s_capturedAt.AddDays(replayDaysAfterCapture), capture);

        var stored = written.ToDictionary(r => r.TaskId);
        Assert.Equal(CapturedAt - 2, stored["honest"].FinishedAt);
        Assert.Equal(CapturedAt, stored["ahead"].FinishedAt);
        Assert.Equal(CapturedAt + 60, stored["slightly-ahead"].FinishedAt);
        Assert.Equal(1, counters.Repaired(Repair.TimestampOutOfRange));
    }

    /// <summary>Issue 24: each line's labels are read as the broker delivered them: a pickle is refused by name, kombu's zlib inflated.</summary>
    [Fact]
    public async Task Replay_ReadsEachLinesLabels_RefusesAPickleByName_InflatesKombuZlib_Issue24()
    {
        var capture = string.Join('\n',
            Line(CapturedAt, Event("task-succeeded", "plain", CapturedAt - 2)),
            Line(CapturedAt, HostileBodies.Pickle, HostileBodies.PickleType, "binary", null),
            Line(CapturedAt, HostileBodies.Zlib(Event("task-succeeded", "zipped", CapturedAt - 1)), "application/json", "utf-8", HostileBodies.KombuGzip));

        var (written, counters) = await ReplayAsync(s_capturedAt.AddMinutes(5), capture);

        Assert.Equal(["plain", "zipped"], written.Select(r => r.TaskId).Order());
        Assert.Equal(1, counters.Rejected(RejectReason.UnsupportedContentType));
        Assert.Equal(1, counters.EventsRejectedTotal);
    }

    /// <summary>
    /// Issue 29: replay reads the file as bytes, and must take exactly what the text reader takes from every line:
    /// a byte order mark, CRLF and blank lines, a bare carriage return splitting a line, bad JSON, trailing data, a
    /// duplicate key, escaped or broken base64, labels and a line with no newline at the end.
    /// </summary>
    [Fact]
    public async Task Replay_ReadAsBytes_TakesWhatTheTextReaderTakesFromEveryLine_Issue29()
    {
        var plain = Line(CapturedAt, Event("task-succeeded", "plain", CapturedAt - 2));
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(Event("task-succeeded", "escaped", CapturedAt - 3)));
        var capture = "\uFEFF" + string.Join("\n",
            plain + "\r",
            "",
            "   \t",
            Line(CapturedAt, Event("task-succeeded", "before-cr", CapturedAt - 4)) + "\r" + Line(CapturedAt, Event("task-succeeded", "after-cr", CapturedAt - 5)),
            "not json",
            plain + " trailing",
            """{"body_b64": 5}""",
            $$"""{"body_b64": "{{body[..^4]}}", "body_b64": "{{body}}"}""",
            $$"""{"body_b64": "\u{{((int)body[0]).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)}}{{body[1..]}}", "captured_at": {{CapturedAt.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""",
            """{"body_b64": "not base64!"}""",
            Line(CapturedAt, HostileBodies.Pickle, HostileBodies.PickleType, "binary", null),
            Line(CapturedAt, HostileBodies.Zlib(Event("task-succeeded", "zipped", CapturedAt - 1)), "application/json", "utf-8", HostileBodies.KombuGzip),
            Line(CapturedAt, Event("task-failed", "last", CapturedAt - 6)));

        var asText = await ReplayAsync(s_capturedAt.AddMinutes(5), capture, asBytes: false);
        var asBytes = await ReplayAsync(s_capturedAt.AddMinutes(5), capture, asBytes: true);

        Assert.Superset(new HashSet<string> { "after-cr", "before-cr", "escaped", "last", "plain", "zipped" }, asText.Written.Select(r => r.TaskId).ToHashSet());
        Assert.Equal(asText.Written.Select(r => (r.TaskId, r.State, r.FinishedAt)).Order(), asBytes.Written.Select(r => (r.TaskId, r.State, r.FinishedAt)).Order());
        Assert.Equal(asText.BadLines, asBytes.BadLines);
        Assert.Equal(4, asBytes.BadLines);
        Assert.Equal(asText.Counters.EventsRejectedTotal, asBytes.Counters.EventsRejectedTotal);
        Assert.Equal(1, asBytes.Counters.Rejected(RejectReason.UnsupportedContentType));
    }

    /// <summary>Replays <paramref name="capture"/> on a clock at <paramref name="now"/>: what was written, and the counters.</summary>
    private static async Task<(IReadOnlyList<Ingest.Storage.InvocationRecord> Written, IngestCounters Counters)> ReplayAsync(DateTimeOffset now, string capture)
    {
        var (written, counters, _) = await ReplayAsync(now, capture, asBytes: false);
        return (written, counters);
    }

    /// <summary>Replays <paramref name="capture"/> read as text or as the UTF-8 bytes of a file: what was written, the counters, the bad lines.</summary>
    private static async Task<(IReadOnlyList<Ingest.Storage.InvocationRecord> Written, IngestCounters Counters, long BadLines)> ReplayAsync(DateTimeOffset now, string capture, bool asBytes)
    {
        var time = new FakeTimeProvider(now);
        var writer = new GatedWriter();
        var h = new PipelineHarness(new PipelineOptions { BatchSize = 16, MaxBatchWait = TimeSpan.Zero }, time, () => writer);
        var ingestor = new EventIngestor(new CeleryEventDecoder(new DecoderOptions(), time), h.Tracker,
            new WorkerRegistry(new WorkerOptions(), time), h.Counters, NullLogger<EventIngestor>.Instance);

        await h.StartAsync();
        var runner = new ReplayRunner(ingestor, h.Channel, time);
        if (asBytes)
        {
            await runner.RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(capture)), CancellationToken.None);
        }
        else
        {
            await runner.RunAsync(new StringReader(capture.TrimStart('\uFEFF')), CancellationToken.None);
        }

        h.Tracker.FlushAll();
        await h.StopAsync();
        return ([.. writer.Written], h.Counters, runner.BadLines);
    }

    private static string Event(string type, string id, double at) =>
        $$"""{"type": "{{type}}", "uuid": "{{id}}", "runtime": 0.5, "timestamp": {{at.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""";

    private static string Line(double capturedAt, string body) => JsonSerializer.Serialize(new
    {
        captured_at = capturedAt,
        body_b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(body)),
    });

    /// <summary>A capture line with the labels the broker delivered (messages.jsonl's content_type, content_encoding, headers).</summary>
    private static string Line(double capturedAt, byte[] body, string contentType, string contentEncoding, string? compression) => JsonSerializer.Serialize(new
    {
        captured_at = capturedAt,
        content_type = contentType,
        content_encoding = contentEncoding,
        headers = compression is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["compression"] = compression },
        body_b64 = Convert.ToBase64String(body),
    });
}
