using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;
using Ingest.Sources.Amqp;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Ingest.Tests.Sources.Amqp;

public class AmqpSourceTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task PublishEveryFixtureMessage_StoresTheSameInvocationsAsReplay()
    {
        var broker = fixture.Broker;
        using var dir = new TempDirectory();
        var replayed = dir.File("replayed.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", replayed]));

        var exchange = "celeryev.test." + Guid.NewGuid().ToString("N")[..8];
        var consumed = dir.File("consumed.db");
        await using (var factory = AmqpFactory(broker, consumed, exchange))
        {
            using var client = factory.CreateClient();
            await WaitConnectedAsync(client);
            await using (var channel = await fixture.Connection.CreateChannelAsync())
            {
                foreach (var m in Fixtures.Messages)
                {
                    await Broker.PublishAsync(channel, exchange, m);
                }
            }

            await Wait.UntilAsync(() => Amqp(client).GetProperty("deliveries").GetInt64() == Fixtures.Messages.Count, "every message to be delivered");
        }

        // Stopping drained both: compare every stored invocation, field by field.
        StoredInvocations.AssertSame(replayed, consumed);
    }

    [Fact]
    public async Task BrokerDownAtStart_HttpAndHealthzStillAnswerAndSayWhy()
    {
        using var dir = new TempDirectory();
        await using var factory = new IngestFactory(dir.File("x.db"))
            .MovingClock()
            .With("Ingest:Amqp:Url", "amqp://guest:guest@127.0.0.1:1/")
            .With("Ingest:Amqp:Queue", "ingest.test.down");
        using var client = factory.CreateClient();

        await Wait.UntilAsync(() => Amqp(client).GetProperty("connect_attempts").GetInt64() >= 1 && Amqp(client).GetProperty("last_error").GetString() is not null, "a failed connection attempt");
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("broker not connected", StringComparison.Ordinal));
        using var posted = await client.PostAsync("/api/events", new StringContent("""{"type": "task-succeeded", "uuid": "http-ok", "timestamp": 1795376624.0}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, posted.StatusCode);
    }

    [Fact]
    public async Task QueueDeletedUnderTheConsumer_IsDetectedCountedAndConsumedAgain_Issue12()
    {
        // The broker cancels the consumer of a deleted queue; the connection stays up, so the client's recovery
        // never sees it, and the source said "connected" while consuming nothing.
        var broker = fixture.Broker;
        using var dir = new TempDirectory();
        var exchange = "celeryev.test." + Guid.NewGuid().ToString("N")[..8];
        var queue = "ingest.test." + Guid.NewGuid().ToString("N")[..8];
        await using var factory = AmqpFactory(broker, dir.File("x.db"), exchange, queue);
        using var client = factory.CreateClient();
        await WaitConnectedAsync(client);
        await using var channel = await fixture.Connection.CreateChannelAsync();

        await channel.QueueDeleteAsync(queue);

        await Wait.UntilAsync(() => Amqp(client).GetProperty("consumer_cancels").GetInt64() == 1, "the cancel to be seen");
        await Wait.UntilAsync(() => Amqp(client) is var a && a.GetProperty("resubscribes").GetInt64() >= 1 && a.GetProperty("state").GetString() == "connected", "the consumer to start again");
        var now = TestClock.UnixSeconds;
        var body = System.Text.Encoding.ASCII.GetBytes($$"""[{"type": "task-received", "uuid": "after-cancel", "name": "t.x", "timestamp": {{now}}}, {"type": "task-succeeded", "uuid": "after-cancel", "runtime": 0.1, "timestamp": {{now + 0.1}}}]""");
        await channel.BasicPublishAsync(exchange, "task.multi", mandatory: false, new BasicProperties(), body);
        await Wait.UntilAsync(() => client.GetAsync("/api/invocations/after-cancel").GetAwaiter().GetResult().IsSuccessStatusCode, "a task published after the resubscribe to be stored");
        await channel.QueueDeleteAsync(queue);
    }

    /// <summary>
    /// Issue 16: queue lengths by passive declare, as celery-exporter asks them, for the configured queues and those
    /// task events name; a queue the broker does not have reads 0 (its 404 closes only the probe's channel, the
    /// consumer goes on); readings reach /api/queues (stored, in buckets) and celery_queue_length.
    /// </summary>
    [Fact]
    public async Task QueueLengths_BySampling_ReachTheApiAndMetrics_AndAMissingQueueCostsTheConsumerNothing_Issue16()
    {
        var broker = fixture.Broker;
        using var dir = new TempDirectory();
        var id = Guid.NewGuid().ToString("N")[..8];
        var exchange = "celeryev.test." + id;
        var (work, named, ghost) = ("work." + id, "named." + id, "ghost." + id);
        await using var channel = await fixture.Connection.CreateChannelAsync();
        foreach (var (queue, messages) in new[] { (work, 7), (named, 3) })
        {
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
            for (var i = 0; i < messages; i++)
            {
                await channel.BasicPublishAsync("", queue, System.Text.Encoding.ASCII.GetBytes("{}"));
            }
        }

        try
        {
            await using var factory = AmqpFactory(broker, dir.File("x.db"), exchange)
                .With("Ingest:QueueSampling:Interval", "00:00:01")
                .With("Ingest:QueueSampling:Queues", $"{ghost},{work}");
            using var client = factory.CreateClient();
            await WaitConnectedAsync(client);

            await Wait.UntilAsync(() => Queue(client, work) is { } q && q.GetProperty("length").ValueKind == JsonValueKind.Number && q.GetProperty("length").GetInt64() == 7, "the work queue's length");
            var read = Queue(client, work)!.Value;
            Assert.Equal((0, true), (read.GetProperty("consumers").GetInt32(), read.GetProperty("exists").GetBoolean()));
            var missing = Queue(client, ghost)!.Value;
            Assert.Equal((0L, false), (missing.GetProperty("length").GetInt64(), missing.GetProperty("exists").GetBoolean()));

            // A queue a task event names is sampled from then on; the event itself is stored, so the consumer
            // kept consuming through every 404 above. Dated by the server's clock, which retention judges by.
            var now = factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            var body = System.Text.Encoding.ASCII.GetBytes($$"""{"type": "task-sent", "uuid": "sent-{{id}}", "name": "t.x", "queue": "{{named}}", "timestamp": {{now}}}""");
            await channel.BasicPublishAsync(exchange, "task.sent", mandatory: false, new BasicProperties(), body);
            await Wait.UntilAsync(() => Queue(client, named) is { } q && q.GetProperty("length").ValueKind == JsonValueKind.Number && q.GetProperty("length").GetInt64() == 3, "the queue the event named to be sampled");
            await Wait.UntilAsync(() => client.GetAsync($"/api/invocations/sent-{id}").GetAwaiter().GetResult().IsSuccessStatusCode, "the task-sent event to be stored");

            var metrics = await client.GetStringAsync("/metrics");
            Assert.Contains($"celery_queue_length{{queue_name=\"{work}\"}} 7", metrics, StringComparison.Ordinal);
            Assert.Contains($"celery_active_consumer_count{{queue_name=\"{work}\"}} 0", metrics, StringComparison.Ordinal);
            // Stored: the range's series holds the readings.
            await Wait.UntilAsync(() => Queue(client, work)!.Value.GetProperty("series").GetArrayLength() > 0, "a stored sample");
            Assert.Equal(7, Queue(client, work)!.Value.GetProperty("max_in_range").GetInt64());
        }
        finally
        {
            await channel.QueueDeleteAsync(work);
            await channel.QueueDeleteAsync(named);
        }
    }

    internal static JsonElement? Queue(HttpClient client, string name)
    {
        var list = client.GetFromJsonAsync<JsonElement>("/api/queues?since=-1h").GetAwaiter().GetResult();
        foreach (var q in list.GetProperty("queues").EnumerateArray())
        {
            if (q.GetProperty("name").GetString() == name)
            {
                return q;
            }
        }

        return null;
    }

    [Fact]
    public void ChannelShutdown_ByTheBrokerOnALiveConnection_IsTheResubscribeCase()
    {
        var byBroker = new RabbitMQ.Client.Events.ShutdownEventArgs(ShutdownInitiator.Peer, 406, "PRECONDITION_FAILED");
        var byUs = new RabbitMQ.Client.Events.ShutdownEventArgs(ShutdownInitiator.Application, 200, "Goodbye");

        Assert.True(AmqpSubscription.IsChannelClosedByBroker(byBroker, connectionOpen: true));
        Assert.False(AmqpSubscription.IsChannelClosedByBroker(byBroker, connectionOpen: false)); // connection recovery's case
        Assert.False(AmqpSubscription.IsChannelClosedByBroker(byUs, connectionOpen: true));
    }

    [Fact]
    public async Task IngestStopped_WorkersKeepPublishing_QueueStaysWithinItsMaxLength()
    {
        var broker = fixture.Broker;
        using var dir = new TempDirectory();
        var exchange = "celeryev.test." + Guid.NewGuid().ToString("N")[..8];
        var queue = "ingest.test." + Guid.NewGuid().ToString("N")[..8];
        await using (var factory = AmqpFactory(broker, dir.File("x.db"), exchange, queue).With("Ingest:Amqp:MaxQueueLength", "1000"))
        {
            using var client = factory.CreateClient();
            await WaitConnectedAsync(client);
        }

        // Ingest is gone; its queue stays bound. 20,000 messages of 2 KB would be 40 MB if nothing bounded it.
        await using var channel = await fixture.Connection.CreateChannelAsync();
        var body = System.Text.Encoding.ASCII.GetBytes($$"""[{"type": "task-started", "uuid": "x", "pad": "{{new string('p', 2000)}}", "timestamp": 1795376624.0}]""");
        for (var i = 0; i < 20_000; i++)
        {
            await channel.BasicPublishAsync(exchange, "task.multi", mandatory: false, new BasicProperties(), body);
        }

        await Wait.UntilAsync(() => channel.QueueDeclarePassiveAsync(queue).GetAwaiter().GetResult().MessageCount == 1000, "the queue to hold exactly its max length");
        var stats = await broker.CtlAsync("list_queues name messages memory");
        var line = stats.Split('\n').Single(l => l.StartsWith(queue, StringComparison.Ordinal)).Split('\t');
        Assert.Equal("1000", line[1]);
        Assert.True(long.Parse(line[2], System.Globalization.CultureInfo.InvariantCulture) < 16 * 1024 * 1024, $"queue memory {line[2]} bytes");
        await channel.QueueDeleteAsync(queue);
    }

    internal static IngestFactory AmqpFactory(Broker broker, string db, string exchange, string? queue = null, Action<IServiceCollection>? services = null) =>
        new IngestFactory(db) { TestServices = services }
            .MovingClock()
            .With("Ingest:Pipeline:MaxBatchWait", "00:00:00.020")
            .With("Ingest:Amqp:Url", broker.Url)
            .With("Ingest:Amqp:Exchange", exchange)
            .With("Ingest:Amqp:Queue", queue ?? "ingest.test." + Guid.NewGuid().ToString("N")[..8])
            .With("Ingest:Amqp:AckInterval", "00:00:00.050");

    internal static JsonElement Amqp(HttpClient client) =>
        client.GetFromJsonAsync<JsonElement>("/healthz").GetAwaiter().GetResult().GetProperty("sources").GetProperty("amqp");

    internal static Task WaitConnectedAsync(HttpClient client) =>
        Wait.UntilAsync(() => Amqp(client).GetProperty("state").GetString() == "connected", "the AMQP source to connect");
}
