using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using static Ingest.Tests.Sources.Amqp.AmqpSourceTests;

namespace Ingest.Tests.Sources.Amqp;

/// <summary>
/// Issue 24: what a hostile or misconfigured publisher puts on the event exchange, published with the properties
/// kombu gives it, between good messages: each refused by name, counted, logged once, and nothing around it lost.
/// Before, all of these were counted as malformed_json with no log line, and NULs were stored raw.
/// </summary>
public class AmqpRejectTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task PickleYamlBombsAndNul_BetweenGoodMessages_EachNamedCountedLoggedOnce_GoodOnesStored_Issue24()
    {
        using var dir = new TempDirectory();
        var exchange = "celeryev.test." + Guid.NewGuid().ToString("N")[..8];
        var logs = new LogCapture();
        await using var factory = AmqpFactory(fixture.Broker, dir.File("x.db"), exchange, services: s => s.AddSingleton<ILoggerProvider>(logs))
            .With("Ingest:Decoder:MaxBodyBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = factory.CreateClient();
        await WaitConnectedAsync(client);
        var now = TestClock.UnixSeconds;
        var messages = new (byte[] Body, string? Type, string? Encoding, string? Compression)[]
        {
            (HostileBodies.Good("good-1", now), "application/json", "utf-8", null),
            (HostileBodies.Pickle, HostileBodies.PickleType, "binary", null),
            (HostileBodies.Good("good-2", now), "application/json", "utf-8", null),
            (HostileBodies.Yaml, HostileBodies.YamlType, "utf-8", null),
            (HostileBodies.Bomb(16 * Limit), "application/json", "utf-8", HostileBodies.KombuGzip),
            (HostileBodies.Zlib($"[{HostileBodies.Received("zipped", now)}]"), "application/json", "utf-8", HostileBodies.KombuGzip),
            ("BZh91AY&SY"u8.ToArray(), "application/json", "utf-8", HostileBodies.KombuBzip2),
            (HostileBodies.NestingBomb(20_000), "application/json", "utf-8", null),
            (Encoding.UTF8.GetBytes(HostileBodies.Received("n\u0000ul", now, "shop.\u0000add", "w1@h\u0000ost")), "application/json", "utf-8", null),
            (HostileBodies.Good("good-3", now), "application/json", "utf-8", null),
        };

        await using (var channel = await fixture.Connection.CreateChannelAsync())
        {
            foreach (var (body, type, encoding, compression) in messages)
            {
                var properties = new BasicProperties { ContentType = type, ContentEncoding = encoding, Headers = new Dictionary<string, object?> { ["hostname"] = "w1@h" } };
                if (compression is not null)
                {
                    properties.Headers["compression"] = compression;
                }

                await channel.BasicPublishAsync(exchange, "task.received", mandatory: false, properties, body);
            }
        }

        await Wait.UntilAsync(() => AmqpSourceTests.Amqp(client).GetProperty("deliveries").GetInt64() == messages.Length, "every message to be delivered");
        foreach (var id in new[] { "good-1", "good-2", "good-3", "zipped", "nul" })
        {
            await Wait.UntilAsync(() => client.GetAsync($"/api/invocations/{id}").GetAwaiter().GetResult().IsSuccessStatusCode, $"{id} to be stored");
        }

        var events = (await client.GetFromJsonAsync<JsonElement>("/healthz")).GetProperty("events");
        var rejected = events.GetProperty("rejected");
        Assert.Equal(
            [("decompressed_too_large", 1), ("nesting_too_deep", 1), ("unsupported_content_type", 2), ("unsupported_encoding", 1)],
            rejected.EnumerateObject().Where(r => r.Value.GetInt32() > 0).Select(r => (r.Name, r.Value.GetInt32())).Order());
        Assert.Equal(3, events.GetProperty("repaired").GetProperty("control_characters").GetInt32());
        var nul = await client.GetFromJsonAsync<JsonElement>("/api/invocations/nul");
        Assert.Equal(("shop.add", "w1@host"), (nul.GetProperty("name").GetString(), nul.GetProperty("worker").GetString()));
        // One line per reason (the YAML body came within the pickle's minute), each with its escaped first bytes.
        var lines = logs.WithId(2015).Select(l => l.Message).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Contains(lines, l => l.Contains("as unsupported_content_type", StringComparison.Ordinal) && l.Contains(@"\x80\x04\x95", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("as decompressed_too_large", StringComparison.Ordinal) && l.Contains("from amqp", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("as unsupported_encoding", StringComparison.Ordinal) && l.Contains("application/x-bz2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("as nesting_too_deep", StringComparison.Ordinal) && l.Contains("[[[[", StringComparison.Ordinal));
        Assert.Equal(5, AmqpSourceTests.Amqp(client).GetProperty("malformed_messages").GetInt64());
    }
}
