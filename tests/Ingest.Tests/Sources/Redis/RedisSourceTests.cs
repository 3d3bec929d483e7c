using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Sources.Redis;
using Ingest.Tests.Support;
using StackExchange.Redis;

namespace Ingest.Tests.Sources.Redis;

/// <summary>Celery on a Redis broker (issue 14): events over PUB/SUB in kombu's envelope, against a real redis-server.</summary>
public class RedisSourceTests
{
    [Fact]
    public async Task PublishEveryFixtureMessageAsKombuDoes_StoresTheSameInvocationsAsReplay_Issue14()
    {
        var redis = RedisServer.Shared();
        using var dir = new TempDirectory();
        var replayed = dir.File("replayed.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", replayed]));
        var exchange = "celeryev" + Guid.NewGuid().ToString("N")[..6];
        var consumed = dir.File("consumed.db");
        var taskMessages = Fixtures.Messages.Count(m => m.RoutingKey.StartsWith("task.", StringComparison.Ordinal));

        await using (var factory = RedisFactory(redis, consumed, exchange))
        {
            using var client = factory.CreateClient();
            await WaitSubscribedAsync(client);
            await using var publisher = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
            foreach (var m in Fixtures.Messages)
            {
                await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal($"/0.{exchange}/{m.RoutingKey}"), Kombu(m.Body, exchange, m.RoutingKey));
            }

            // Worker events too by default (issue 25: the Workers page was empty on Redis): every message arrives.
            Assert.True(taskMessages < Fixtures.Messages.Count, "the capture holds worker events");
            await Wait.UntilAsync(() => Source(client).GetProperty("messages").GetInt64() == Fixtures.Messages.Count, "every message, heartbeats included, to arrive");
            var workers = await client.GetFromJsonAsync<JsonElement>("/api/workers");
            Assert.NotEqual(0, workers.GetProperty("items").GetArrayLength());
        }

        StoredInvocations.AssertSame(replayed, consumed);
    }

    [Fact]
    public async Task RedisRestartedDuringTraffic_ResubscribesByItself_StoresWhatCameAfter_CountsTheGap_Issue14()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServer.StartPrivateAsync(dir);
        await using var factory = RedisFactory(redis, dir.File("x.db"), "celeryev");
        using var client = factory.CreateClient();
        await WaitSubscribedAsync(client);
        await PublishTasksAsync(redis, "before", 20);
        await Wait.UntilAsync(() => Stored(client, "before-19"), "the first tasks to be stored");

        await redis.StopAsync();
        await Wait.UntilAsync(() => !Source(client).GetProperty("state").GetString()!.Equals("subscribed", StringComparison.Ordinal), "the outage to show");
        var during = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("degraded", during.GetProperty("status").GetString());
        Assert.Contains(during.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("not subscribed to Redis", StringComparison.Ordinal));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);

        await redis.StartAsync();
        await Wait.UntilAsync(() => Source(client).GetProperty("state").GetString() == "subscribed", "the subscription to come back", TimeSpan.FromSeconds(90));
        await Wait.UntilAsync(() =>
        {
            // The client may report the connection before the resubscribe is through: publish until a whole round
            // lands (a round that began before the resubscribe stores only its tail; the same ids merge again).
            PublishTasksAsync(redis, "after", 50).GetAwaiter().GetResult();
            return Enumerable.Range(0, 50).All(i => Stored(client, $"after-{i}"));
        }, "tasks published after the restart to be stored");

        var source = Source(client);
        Assert.True(source.GetProperty("disconnects").GetInt64() >= 1);
        Assert.True(source.GetProperty("unsubscribed_s").GetDouble() > 0);
        Assert.True(Enumerable.Range(0, 50).All(i => Stored(client, $"after-{i}")));
    }

    [Fact]
    public async Task RedisDropsTheSubscriber_AsForASlowReader_IsDetectedCountedAndRecovered_Issue14()
    {
        // What client-output-buffer-limit pubsub does to a subscriber that falls behind: Redis closes it.
        using var dir = new TempDirectory();
        await using var redis = await RedisServer.StartPrivateAsync(dir);
        await using var factory = RedisFactory(redis, dir.File("x.db"), "celeryev");
        using var client = factory.CreateClient();
        await WaitSubscribedAsync(client);

        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true"))
        {
            await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        }

        await Wait.UntilAsync(() => Source(client).GetProperty("disconnects").GetInt64() >= 1, "the dropped subscription to be counted");
        await Wait.UntilAsync(() => Source(client).GetProperty("state").GetString() == "subscribed", "the subscription to come back");
        await Wait.UntilAsync(() =>
        {
            PublishTasksAsync(redis, "after-kill", 5).GetAwaiter().GetResult();
            return Stored(client, "after-kill-4");
        }, "tasks published after the drop to be stored");
    }

    [Theory]
    [InlineData("redis://localhost", 0, "/0.celeryev/task.*")]
    [InlineData("redis://:secret@cache:6380/3", 3, "/3.celeryev/task.*")]
    [InlineData("rediss://ingest:pw@cache/1", 1, "/1.celeryev/task.*")]
    [InlineData("redis+socket:///run/redis.sock?virtual_host=2", 2, "/2.celeryev/task.*")]
    public void BrokerUrl_CeleryForms_ParseToTheDatabaseAndKombusChannel(string url, int db, string pattern)
    {
        Assert.True(RedisBrokerUrl.TryParse(url, out var parsed, out var error), error);
        Assert.Equal(db, parsed!.Database);
        Assert.Equal(pattern, parsed.ChannelPattern(new RedisOptions { WorkerEvents = false }));
        Assert.Equal(pattern.Replace("/task.*", "/*", StringComparison.Ordinal), parsed.ChannelPattern(new RedisOptions())); // worker events on by default (issue 25)
    }

    [Fact]
    public void BrokerUrl_UserPasswordTlsAndTransportOptions_AreKept()
    {
        Assert.True(RedisBrokerUrl.TryParse("rediss://ingest:p%40ss@cache:6380/4", out var parsed, out _));
        Assert.Equal("ingest", parsed!.Options.User);
        Assert.Equal("p@ss", parsed.Options.Password);
        Assert.True(parsed.Options.Ssl);
        Assert.Equal("app:/4.celeryev/*", parsed.ChannelPattern(new RedisOptions { GlobalKeyPrefix = "app:", WorkerEvents = true }));
        Assert.Equal("celeryev", parsed.ChannelPattern(new RedisOptions { FanoutPrefix = "false", FanoutPatterns = false }));
        Assert.False(RedisBrokerUrl.TryParse("redis://host/notadb", out _, out var error));
        Assert.Contains("not a database number", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis://cache:6379/0", "Ingest:Redis:Url")]
    [InlineData("amqp://guest:guest@rabbit:5672//", "Ingest:Amqp:Url")]
    public void BrokerFlag_SetsTheSourceItsSchemeNames(string url, string key)
    {
        var values = new Dictionary<string, string?> { [Ingest.Cli.IngestCli.BrokerKey] = url };

        Assert.Null(Ingest.Cli.IngestCli.ResolveBroker(values));

        Assert.Equal(url, values[key]);
        Assert.False(values.ContainsKey(Ingest.Cli.IngestCli.BrokerKey));
    }

    [Fact]
    public void BrokerFlag_UnknownScheme_IsRefused()
    {
        var values = new Dictionary<string, string?> { [Ingest.Cli.IngestCli.BrokerKey] = "sqs://queue" };

        Assert.Contains("redis://", Ingest.Cli.IngestCli.ResolveBroker(values), StringComparison.Ordinal);
    }

    /// <summary>
    /// kombu's envelope as its Redis transport publishes a fanout message (body base64 of the event JSON), with the
    /// labels a JSON event has unless others are given.
    /// </summary>
    internal static string Kombu(byte[] body, string exchange, string routingKey, string contentType = "application/json", string contentEncoding = "utf-8",
        string? compression = null) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["body"] = Convert.ToBase64String(body),
        ["content-encoding"] = contentEncoding,
        ["content-type"] = contentType,
        ["headers"] = compression is null
            ? new Dictionary<string, string> { ["hostname"] = "w1@redis" }
            : new Dictionary<string, string> { ["hostname"] = "w1@redis", ["compression"] = compression },
        ["properties"] = new Dictionary<string, object>
        {
            ["delivery_mode"] = 1,
            ["delivery_info"] = new Dictionary<string, string> { ["exchange"] = exchange, ["routing_key"] = routingKey },
            ["priority"] = 0,
            ["body_encoding"] = "base64",
            ["delivery_tag"] = Guid.NewGuid().ToString(),
        },
    });

    /// <summary>
    /// Issue 16: on Redis a queue is kombu's list under its name, plus one per priority step; its length is the
    /// sum of their LLENs, from the broker's database.
    /// </summary>
    [Fact]
    public async Task QueueLengths_AreTheListsKombuKeeps_PriorityStepsIncluded_Issue16()
    {
        var redis = RedisServer.Shared();
        using var dir = new TempDirectory();
        var queue = "work." + Guid.NewGuid().ToString("N")[..8];
        await using var publisher = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var db = publisher.GetDatabase(0);
        for (var i = 0; i < 5; i++)
        {
            await db.ListLeftPushAsync(queue, "{}");
        }

        await db.ListLeftPushAsync(queue + "\u0006\u00163", "{}");
        await db.ListLeftPushAsync(queue + "\u0006\u00169", "{}");
        // A key of another type under a queue's name has no length; it must not cost the other queues theirs.
        var notAList = queue + ".string";
        await db.StringSetAsync(notAList, "x");
        try
        {
            await using var factory = RedisFactory(redis, dir.File("x.db"), "celeryev")
                .With("Ingest:QueueSampling:Interval", "00:00:01")
                .With("Ingest:QueueSampling:Queues", $"{notAList},{queue}");
            using var client = factory.CreateClient();
            await WaitSubscribedAsync(client);

            try
            {
                await Wait.UntilAsync(() => Amqp.AmqpSourceTests.Queue(client, queue) is { } q && q.GetProperty("length").ValueKind == JsonValueKind.Number && q.GetProperty("length").GetInt64() == 7, "the queue's length");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(e.Message + ": " + await client.GetStringAsync("/api/queues"), e);
            }

            Assert.Equal(JsonValueKind.Null, Amqp.AmqpSourceTests.Queue(client, queue)!.Value.GetProperty("consumers").ValueKind); // Redis cannot tell
            Assert.Null(Amqp.AmqpSourceTests.Queue(client, notAList));
            Assert.Contains($"celery_queue_length{{queue_name=\"{queue}\"}} 7", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }
        finally
        {
            await db.KeyDeleteAsync([queue, queue + "\u0006\u00163", queue + "\u0006\u00169", notAList]);
        }
    }

    internal static IngestFactory RedisFactory(RedisServer redis, string db, string exchange, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        new IngestFactory(db) { TestServices = services }.MovingClock()
            .With("Ingest:Pipeline:MaxBatchWait", "00:00:00.020")
            .With("Ingest:Redis:Url", redis.Url)
            .With("Ingest:Redis:Exchange", exchange);

    private static async Task PublishTasksAsync(RedisServer redis, string prefix, int count)
    {
        await using var publisher = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var now = TestClock.UnixSeconds;
        for (var i = 0; i < count; i++)
        {
            var body = Encoding.UTF8.GetBytes($$"""[{"hostname": "w1@h", "uuid": "{{prefix}}-{{i}}", "name": "t.restart", "args": "()", "kwargs": "{}", "timestamp": {{now}}, "type": "task-received"}, {"hostname": "w1@h", "uuid": "{{prefix}}-{{i}}", "result": "1", "runtime": 0.01, "timestamp": {{now + 0.01}}, "type": "task-succeeded"}]""");
            await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("/0.celeryev/task.multi"), Kombu(body, "celeryev", "task.multi"));
        }
    }

    internal static JsonElement Source(HttpClient client) =>
        client.GetFromJsonAsync<JsonElement>("/healthz").GetAwaiter().GetResult().GetProperty("sources").GetProperty("redis");

    internal static Task WaitSubscribedAsync(HttpClient client) =>
        Wait.UntilAsync(() => Source(client).GetProperty("state").GetString() == "subscribed", "the Redis source to subscribe");

    internal static bool Stored(HttpClient client, string id)
    {
        using var response = client.GetAsync($"/api/invocations/{id}").GetAwaiter().GetResult();
        return response.IsSuccessStatusCode;
    }
}
