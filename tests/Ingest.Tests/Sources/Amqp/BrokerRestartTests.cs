using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Sources.Amqp;

public class BrokerRestartTests
{
    [Fact]
    public async Task BrokerStoppedAndRestartedMidStream_IngestReconnectsAndStoresEverythingPublishedAfter()
    {
        await using var broker = await Broker.StartPrivateAsync();
        using var dir = new TempDirectory();
        const string Exchange = "celeryev";
        await using var factory = AmqpSourceTests.AmqpFactory(broker, dir.File("x.db"), Exchange, "ingest.restart");
        using var client = factory.CreateClient();
        await AmqpSourceTests.WaitConnectedAsync(client);

        await PublishTasksAsync(broker, "before", 20);
        await Wait.UntilAsync(() => Stored(client, "before-19"), "the first tasks to be stored");

        await broker.StopAsync();
        await Wait.UntilAsync(() => AmqpSourceTests.Amqp(client).GetProperty("state").GetString() == "reconnecting", "healthz to show the outage");
        var during = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("degraded", during.GetProperty("status").GetString());

        await broker.StartAsync();
        await Wait.UntilAsync(() => AmqpSourceTests.Amqp(client).GetProperty("state").GetString() == "connected", "the source to reconnect", TimeSpan.FromSeconds(90));
        Assert.True(AmqpSourceTests.Amqp(client).GetProperty("reconnects").GetInt64() >= 1);

        await PublishTasksAsync(broker, "after", 50);
        await Wait.UntilAsync(() => Enumerable.Range(0, 50).All(i => Stored(client, $"after-{i}")), "every task published after the reconnect to be stored");
        Assert.Equal("ok", (await client.GetFromJsonAsync<JsonElement>("/healthz")).GetProperty("status").GetString());
    }

    private static async Task PublishTasksAsync(Broker broker, string prefix, int count)
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var now = TestClock.UnixSeconds;
        for (var i = 0; i < count; i++)
        {
            var body = System.Text.Encoding.ASCII.GetBytes($$"""[{"hostname": "w1@h", "uuid": "{{prefix}}-{{i}}", "name": "t.restart", "args": "()", "kwargs": "{}", "timestamp": {{now}}, "type": "task-received"}, {"hostname": "w1@h", "uuid": "{{prefix}}-{{i}}", "result": "1", "runtime": 0.01, "timestamp": {{now + 0.01}}, "type": "task-succeeded"}]""");
            await channel.BasicPublishAsync("celeryev", "task.multi", mandatory: false, new RabbitMQ.Client.BasicProperties(), body);
        }
    }

    private static bool Stored(HttpClient client, string id)
    {
        using var response = client.GetAsync($"/api/invocations/{id}").GetAwaiter().GetResult();
        return response.IsSuccessStatusCode;
    }
}
