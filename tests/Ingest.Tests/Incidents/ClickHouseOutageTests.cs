using System.Net;
using System.Text;
using System.Text.Json;
using Ingest.Storage.ClickHouse;
using Ingest.Tests.Support;

namespace Ingest.Tests.Incidents;

/// <summary>
/// Issue 26, same guarantees on ClickHouse: the server goes away mid-run (a restart, a network cut) for longer than
/// the few retries a failing SQLite commit gets. Ingest says so on /healthz, holds the batch and buffers what
/// arrives inside its byte budget, reconnects on its own, and stores everything once the server is back: a store
/// that is away is waited out, never given up batch by batch.
/// </summary>
public sealed class ClickHouseOutageTests : IDisposable
{
    private readonly ClickHouseEndpoint _endpoint = TestClickHouse.FreshEndpoint();

    [Fact]
    public async Task ClickHouseAwayMidRun_HealthDegraded_NothingDropped_EveryTaskStoredOnceBack_Issue26()
    {
        await using var proxy = TcpForwarder.Start(_endpoint.BaseAddress.Host, _endpoint.BaseAddress.Port);
        await using var factory = new IngestFactory().MovingClock()
            .With("Ingest:ClickHouse:Url", $"http://{_endpoint.User}@127.0.0.1:{proxy.Port}/{_endpoint.Database}")
            .With("Ingest:ClickHouse:Timeout", "00:00:02");
        using var client = factory.CreateClient();
        using (var first = await PostAsync(client, 0, 20, durable: true))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        proxy.Stop();
        using (var second = await PostAsync(client, 20, 40, durable: false))
        {
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        }

        // Away for more failed commits than a SQLite batch is allowed (5): the batch is still held, not dropped.
        await Wait.UntilAsync(
            () => Health(client) is var h && h.GetProperty("status").GetString() == "degraded"
                && h.GetProperty("invocations").GetProperty("write_errors").GetInt64() > 6,
            "the failed commits to pass the SQLite retry limit while /healthz says degraded", TimeSpan.FromSeconds(90));
        Assert.Equal(0, Dropped(Health(client)));

        proxy.Start();
        await Wait.UntilAsync(
            () => Health(client) is var h && h.GetProperty("status").GetString() == "ok"
                && h.GetProperty("backlog").GetProperty("queued").GetInt32() == 0 && h.GetProperty("backlog").GetProperty("in_progress").GetInt32() == 0,
            "Ingest to reconnect and write what it held", TimeSpan.FromSeconds(90));

        var health = Health(client);
        Assert.Equal(0, Dropped(health));
        Assert.Equal(40, health.GetProperty("invocations").GetProperty("flushed").GetInt64());
        using var store = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        var reader = new ClickHouseInvocationReader(store);
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal("SUCCESS", reader.Get($"outage-{i}")?.State));
    }

    [Fact]
    public async Task ClickHouseNotAnsweringAtStart_IngestWaitsForIt_ThenStoresWhatArrives_Issue26()
    {
        await using var proxy = TcpForwarder.Start(_endpoint.BaseAddress.Host, _endpoint.BaseAddress.Port);
        proxy.Reject();
        // A 2 s request deadline, as in the test above: with the default 30 s, one attempt whose connection is not
        // reset at once (the forwarder's accept loop late on a loaded test host) can take the whole wait below; the
        // test timed out waiting for the third attempt in two of three full runs on 2026-12-06, passing alone.
        await using var factory = new IngestFactory().MovingClock()
            .With("Ingest:ClickHouse:Url", $"http://{_endpoint.User}@127.0.0.1:{proxy.Port}/{_endpoint.Database}")
            .With("Ingest:ClickHouse:Timeout", "00:00:02");
        // The host starts once the flush loop has its store: the start waits while ClickHouse resets every connection.
        var starting = Task.Run(factory.CreateClient);
        await Wait.UntilAsync(() => proxy.Rejected >= 3, "Ingest to try the store three times", TimeSpan.FromSeconds(30));
        Assert.False(starting.IsCompleted);

        proxy.Forward();
        using var client = await starting.WaitAsync(TimeSpan.FromSeconds(60));
        using (var posted = await PostAsync(client, 0, 5, durable: true))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        await Wait.UntilAsync(() => Health(client).GetProperty("status").GetString() == "ok", "/healthz to be ok once the store answers", TimeSpan.FromSeconds(30));
        using var store = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        Assert.Equal("SUCCESS", new ClickHouseInvocationReader(store).Get("outage-4")?.State);
    }

    [Fact]
    public async Task ClickHouseNotAnsweringPastTheStartWait_FlushLoopFails_HealthSaysSo_Issue26()
    {
        await using var proxy = TcpForwarder.Start(_endpoint.BaseAddress.Host, _endpoint.BaseAddress.Port);
        proxy.Reject();
        await using var factory = new IngestFactory().MovingClock()
            .With("Ingest:ClickHouse:Url", $"http://{_endpoint.User}@127.0.0.1:{proxy.Port}/{_endpoint.Database}")
            .With("Ingest:Pipeline:StoreOpenWait", "00:00:01");
        using var client = factory.CreateClient();

        var health = Health(client);
        Assert.Equal("failing", health.GetProperty("status").GetString());
        Assert.True(proxy.Rejected >= 1);
    }

    public void Dispose() => TestClickHouse.Drop(_endpoint);

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, int from, int to, bool durable)
    {
        var events = Enumerable.Range(from, to - from).SelectMany(i => new[]
        {
            $$"""{"type": "task-received", "uuid": "outage-{{i}}", "name": "shop.tasks.sync", "args": "({{i}},)", "kwargs": "{}", "hostname": "w1@h", "timestamp": 1795376624.0}""",
            $$"""{"type": "task-succeeded", "uuid": "outage-{{i}}", "result": "'ok'", "runtime": 0.1, "hostname": "w1@h", "timestamp": 1795376624.5}""",
        });
        using var content = new StringContent("[" + string.Join(", ", events) + "]", Encoding.UTF8, "application/json");
        return await client.PostAsync(durable ? "/api/events?wait=durable" : "/api/events", content);
    }

    private static JsonElement Health(HttpClient client)
    {
        using var response = client.GetAsync("/healthz").GetAwaiter().GetResult();
        return JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone();
    }

    private static long Dropped(JsonElement health) =>
        health.GetProperty("invocations").GetProperty("dropped").EnumerateObject().Sum(p => p.Value.GetInt64());
}
