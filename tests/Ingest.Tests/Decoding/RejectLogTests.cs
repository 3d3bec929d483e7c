using Ingest.Accounting;
using System.Text;
using Ingest.Decoding;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Decoding;

/// <summary>Issue 24: a reject is named in the log, at most once a minute per reason, with an escaped sample of what arrived.</summary>
public class RejectLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero));
    private readonly LogCapture _capture = new();
    private readonly CeleryEventDecoder _decoder;
    private readonly RejectLog _log;

    public RejectLogTests()
    {
        _decoder = new CeleryEventDecoder(new DecoderOptions(), _time);
        _log = new RejectLog(_capture.CreateLogger("test"), _time);
    }

    [Fact]
    public void Note_PickleBodies_OneWarningAMinute_WithTheCountAndAnEscapedSample_Issue24()
    {
        var content = new BodyContent(HostileBodies.PickleType, "binary", null);

        for (var i = 0; i < 5; i++)
        {
            _log.Note(_decoder.Decode(HostileBodies.Pickle, content: content), "amqp", HostileBodies.Pickle);
        }

        var line = Assert.Single(_capture.WithId(2015));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("Rejected 1 as unsupported_content_type", line.Message, StringComparison.Ordinal);
        Assert.Contains("from amqp", line.Message, StringComparison.Ordinal);
        Assert.Contains(@"\x80\x04\x95-\x00", line.Message, StringComparison.Ordinal);
        Assert.Contains("application/x-python-serialize", line.Message, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(1));
        _log.Note(_decoder.Decode(HostileBodies.Pickle, content: content), "redis", HostileBodies.Pickle);

        Assert.Contains("Rejected 5 as unsupported_content_type", _capture.WithId(2015)[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Note_BodyWithControlBytesAndALongTail_SampleIsPrintableAndCut()
    {
        var body = Encoding.UTF8.GetBytes("\u0000\u001b[31m\\\n" + new string('x', 500));

        _log.Note(RejectReason.MalformedJson, 1, "http", body, "why");

        var message = Assert.Single(_capture.WithId(2015)).Message;
        Assert.Contains(@"\x00\x1b[31m\\\x0a", message, StringComparison.Ordinal);
        Assert.Contains("… (508 bytes)", message, StringComparison.Ordinal);
        Assert.DoesNotContain(message, c => char.IsControl(c));
    }

    [Fact]
    public void Note_ElementRejectsBesideGoodEvents_NameTheirReason()
    {
        var body = Encoding.UTF8.GetBytes("""[{"type": "task-progress", "uuid": "a"}, {"type": "task-started", "uuid": "b", "timestamp": 1795376624}]""");

        _log.Note(_decoder.Decode(body), "http", body);

        Assert.Contains("Rejected 1 as unknown_type", Assert.Single(_capture.WithId(2015)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Note_NoReject_LogsNothing()
    {
        var body = Encoding.UTF8.GetBytes("""{"type": "task-started", "uuid": "b", "timestamp": 1795376624}""");

        _log.Note(_decoder.Decode(body), "http", body);

        Assert.Empty(_capture.Lines);
    }
}
