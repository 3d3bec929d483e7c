using System.Text.Json;
using Ingest.Control;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Control;

/// <summary>The command body as kombu.pidbox sends it (issue 27).</summary>
public class PidboxMessageTests
{
    [Fact]
    public void Body_Call_HasCeleryKeysTicketAndReplyTo_Issue27()
    {
        var request = new ControlRequest("rate_limit", new Dictionary<string, object?> { ["task_name"] = "app.add", ["rate_limit"] = "5/s" }, ["a@h"], TimeSpan.FromSeconds(1));

        using var doc = JsonDocument.Parse(PidboxMessage.Body(request, "tk", "reply.celery.pidbox", "tk"));

        var root = doc.RootElement;
        Assert.Equal("rate_limit", root.GetProperty("method").GetString());
        Assert.Equal("app.add", root.GetProperty("arguments").GetProperty("task_name").GetString());
        Assert.Equal("5/s", root.GetProperty("arguments").GetProperty("rate_limit").GetString());
        Assert.Equal(["a@h"], root.GetProperty("destination").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("pattern").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("matcher").ValueKind);
        Assert.Equal("tk", root.GetProperty("ticket").GetString());
        Assert.Equal("reply.celery.pidbox", root.GetProperty("reply_to").GetProperty("exchange").GetString());
        Assert.Equal("tk", root.GetProperty("reply_to").GetProperty("routing_key").GetString());
    }

    [Fact]
    public void Body_CastToEveryone_NullDestinationAndNoReplyTo_Issue27()
    {
        var request = new ControlRequest("shutdown", new Dictionary<string, object?>(), null, TimeSpan.FromSeconds(1), ExpectReply: false);

        using var doc = JsonDocument.Parse(PidboxMessage.Body(request, null, "reply.celery.pidbox", null));

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("destination").ValueKind);
        Assert.False(doc.RootElement.TryGetProperty("reply_to", out _));
        Assert.False(doc.RootElement.TryGetProperty("ticket", out _));
    }

    [Fact]
    public void Expires_IsUnixSecondsOfNowPlusTheTimeout_Issue27()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(1772323201.5, PidboxMessage.Expires(time, TimeSpan.FromSeconds(1.5)), 3);
    }

    [Fact]
    public void Body_UnsupportedArgumentType_Refused_Issue27()
    {
        var request = new ControlRequest("ping", new Dictionary<string, object?> { ["x"] = new object() }, null, TimeSpan.FromSeconds(1));

        Assert.Throws<ArgumentException>(() => PidboxMessage.Body(request, null, "r", null));
    }
}
