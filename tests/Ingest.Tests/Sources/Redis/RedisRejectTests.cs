using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static Ingest.Tests.Sources.Redis.RedisSourceTests;

namespace Ingest.Tests.Sources.Redis;

/// <summary>
/// Issue 24: over Redis the labels ride in kombu's envelope (content-type, content-encoding, headers.compression);
/// what they refuse, and a broken envelope, is counted and logged by name, and the messages around it are stored.
/// </summary>
public class RedisRejectTests
{
    [Fact]
    public async Task PickleNestingBrokenEnvelopeAndBzip2_BetweenGoodMessages_EachNamedCountedLoggedOnce_Issue24()
    {
        var redis = RedisServer.Shared();
        using var dir = new TempDirectory();
        var exchange = "celeryev" + Guid.NewGuid().ToString("N")[..6];
        var logs = new LogCapture();
        await using var factory = RedisFactory(redis, dir.File("x.db"), exchange, s => s.AddSingleton<ILoggerProvider>(logs));
        using var client = factory.CreateClient();
        await WaitSubscribedAsync(client);
        var now = TestClock.UnixSeconds;
        string Envelope(byte[] body, string type = "application/json", string encoding = "utf-8", string? compression = null) =>
            Kombu(body, exchange, "task.received", type, encoding, compression);
        var messages = new[]
        {
            Envelope(HostileBodies.Good("good-1", now)),
            Envelope(HostileBodies.Pickle, HostileBodies.PickleType, "binary"),
            Envelope(HostileBodies.NestingBomb(20_000)),
            """{"body": "eyJ0eXBlIjog", "content-type": """,
            Envelope("BZh91AY&SY"u8.ToArray(), compression: HostileBodies.KombuBzip2),
            Envelope(HostileBodies.Zlib($"[{HostileBodies.Received("zipped", now)}]"), compression: HostileBodies.KombuGzip),
            Envelope(Encoding.UTF8.GetBytes(HostileBodies.Received("n\u0000ul", now, "shop.\u0000add"))),
            Envelope(HostileBodies.Good("good-2", now)),
        };

        await using (var publisher = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}"))
        {
            foreach (var m in messages)
            {
                await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal($"/0.{exchange}/task.received"), m);
            }
        }

        await Wait.UntilAsync(() => Source(client).GetProperty("messages").GetInt64() == messages.Length, "every message to arrive");
        foreach (var id in new[] { "good-1", "good-2", "zipped", "nul" })
        {
            await Wait.UntilAsync(() => Stored(client, id), $"{id} to be stored");
        }

        var events = (await client.GetFromJsonAsync<JsonElement>("/healthz")).GetProperty("events");
        Assert.Equal(
            [("malformed_json", 1), ("nesting_too_deep", 1), ("unsupported_content_type", 1), ("unsupported_encoding", 1)],
            events.GetProperty("rejected").EnumerateObject().Where(r => r.Value.GetInt32() > 0).Select(r => (r.Name, r.Value.GetInt32())).Order());
        Assert.Equal(2, events.GetProperty("repaired").GetProperty("control_characters").GetInt32());
        var lines = logs.WithId(2015).Select(l => l.Message).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Contains("from redis", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("as malformed_json", StringComparison.Ordinal) && l.Contains("envelope is not JSON", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("as unsupported_content_type", StringComparison.Ordinal) && l.Contains(@"\x80\x04\x95", StringComparison.Ordinal));
    }
}
