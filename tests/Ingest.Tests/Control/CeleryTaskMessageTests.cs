using System.Text;
using System.Text.Json;
using Ingest.Control;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;

namespace Ingest.Tests.Control;

/// <summary>
/// The task message Ingest publishes against three that Celery 5.2.6 itself sent (issue 27), captured from Redis with
/// Debian's python3-celery in tests/fixtures/task-messages: <c>add(2, 3)</c>, <c>add(x=2, y=3)</c> with a countdown
/// and an expiry, and awkward arguments for argsrepr. Only what differs by sender is left out: origin, reply_to
/// (Celery's result consumer), delivery_tag and the expiration milliseconds.
/// </summary>
public sealed class CeleryTaskMessageTests
{
    private static readonly string s_fixture = Path.Combine(Ingest.Testing.TestPaths.RepositoryRoot, "tests", "fixtures", "task-messages", "celery-5.2.6-redis.json");

    [Theory]
    [InlineData(0, "[2, 3]", "{}", null, null)]
    [InlineData(1, "[]", """{"x": 2, "y": 3}""", 10.0, "2030-03-01T12:00:00+00:00")]
    [InlineData(2, """["it's", null, true, 1.5, {"k": [1, "a\"b\n"]}]""", "{}", null, null)]
    public void RedisEnvelope_SameTaskAsCelery_SameHeadersPropertiesAndBody_Issue27(int index, string args, string kwargs, double? countdown, string? expires)
    {
        using var captured = JsonDocument.Parse(File.ReadAllText(s_fixture));
        var celery = captured.RootElement[index];
        var headers = celery.GetProperty("headers");
        // Celery's clock at the capture: the eta it wrote less the countdown.
        var now = headers.GetProperty("eta").ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(headers.GetProperty("eta").GetString()!, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(-countdown!.Value)
            : new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var message = new TaskMessage(headers.GetProperty("id").GetString()!, "celery_app.add", Json(args), Json(kwargs), "q1", countdown, expires);

        using var ours = JsonDocument.Parse(RedisTaskPublisher.Envelope(CeleryTaskMessage.From(message, new FakeTimeProvider(now)), Guid.NewGuid()));

        var mine = ours.RootElement;
        Assert.Equal(Names(celery), Names(mine));
        Assert.Equal(celery.GetProperty("content-type").GetString(), mine.GetProperty("content-type").GetString());
        Assert.Equal(celery.GetProperty("content-encoding").GetString(), mine.GetProperty("content-encoding").GetString());
        Assert.Equal(Names(headers), Names(mine.GetProperty("headers")));
        foreach (var header in headers.EnumerateObject().Where(h => h.Name != "origin"))
        {
            Assert.True(JsonElement.DeepEquals(header.Value, mine.GetProperty("headers").GetProperty(header.Name)), $"header {header.Name}: Celery {header.Value}, Ingest {mine.GetProperty("headers").GetProperty(header.Name)}");
        }

        var properties = celery.GetProperty("properties");
        Assert.Equal(Names(properties).Order(StringComparer.Ordinal), Names(mine.GetProperty("properties")).Order(StringComparer.Ordinal));
        foreach (var name in new[] { "correlation_id", "delivery_mode", "delivery_info", "priority", "body_encoding" })
        {
            Assert.True(JsonElement.DeepEquals(properties.GetProperty(name), mine.GetProperty("properties").GetProperty(name)), $"property {name}");
        }

        using var celeryBody = JsonDocument.Parse(Convert.FromBase64String(celery.GetProperty("body").GetString()!));
        using var ourBody = JsonDocument.Parse(Convert.FromBase64String(mine.GetProperty("body").GetString()!));
        Assert.True(JsonElement.DeepEquals(celeryBody.RootElement, ourBody.RootElement), $"body: Celery {celeryBody.RootElement}, Ingest {ourBody.RootElement}");
    }

    [Fact]
    public void AmqpProperties_AddWithArgs_CeleryContentTypePersistentAndTheHeaders_Issue27()
    {
        var message = new TaskMessage("5e1f3a0e-0000-4000-8000-000000000001", "celery_app.add", Json("[2, 3]"), Json("{}"), "q1");

        var properties = AmqpTaskPublisher.Properties(CeleryTaskMessage.From(message, new FakeTimeProvider()));

        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("utf-8", properties.ContentEncoding);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal(message.Id, properties.CorrelationId);
        Assert.Null(properties.Expiration);
        Assert.Equal("celery_app.add", properties.Headers!["task"]);
        Assert.Equal(message.Id, properties.Headers["root_id"]);
        Assert.Equal("[2, 3]", properties.Headers["argsrepr"]);
        Assert.Equal(new object?[] { null, null }, (object?[])properties.Headers["timelimit"]!);
        Assert.Null(properties.Headers["eta"]);
    }

    [Fact]
    public void From_CountdownAndExpiry_EtaFromTheClockAndExpirationLeft_Issue27()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var message = new TaskMessage("id-1", "celery_app.add", Json("[]"), Json("{}"), "q1", Countdown: 2.5, Expires: "2026-03-01T12:01:00Z");

        var task = CeleryTaskMessage.From(message, time);

        Assert.Equal("2026-03-01T12:00:02.500000+00:00", task.Headers.Single(h => h.Key == "eta").Value);
        Assert.Equal("2026-03-01T12:01:00+00:00", task.Headers.Single(h => h.Key == "expires").Value);
        Assert.Equal("60000", task.Expiration);
        Assert.Equal("()", task.Headers.Single(h => h.Key == "argsrepr").Value);
    }

    [Theory]
    [InlineData(-1.0, null, "countdown")]
    [InlineData(null, "tomorrow", "expires must be an ISO 8601")]
    public void From_BadCountdownOrExpiry_RefusedWithTheReason_Issue27(double? countdown, string? expires, string reason)
    {
        var message = new TaskMessage("id-1", "celery_app.add", Json("[]"), Json("{}"), "q1", countdown, expires);

        var refused = Assert.Throws<ArgumentException>(() => CeleryTaskMessage.From(message, new FakeTimeProvider()));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_NestedFourDeep_ArgsreprElidedAsSaferepr_Issue27()
    {
        var message = new TaskMessage("id-1", "t", Json("""[[[[1]]], {"a": {"b": {"c": 1}}}]"""), Json("{}"), "q1");

        var task = CeleryTaskMessage.From(message, new FakeTimeProvider());

        // /usr/bin/python3 -c "from celery.utils.saferepr import saferepr; print(saferepr([[[[1]]], {'a': {'b': {'c': 1}}}], 1024))"
        Assert.Equal("[[[[...]]], {'a': {'b': {...}}}]", task.Headers.Single(h => h.Key == "argsrepr").Value);
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(text));
        return document.RootElement.Clone();
    }
}
