using System.Net;
using System.Text.Json;
using Ingest.Tests.Support;
using RabbitMQ.Client;

namespace Ingest.Tests.ClickHouse;

/// <summary>
/// Several instances, one store (issue 26): two <c>serve</c> processes on one ClickHouse database consume one AMQP
/// queue, so each sees only some of every task's events; one is killed with SIGKILL halfway. Every task of the
/// fixture capture must then read right, once, through either instance's API.
/// </summary>
public sealed class SharedStoreProcessTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly ClickHouseTestDatabase _store = new();

    [Fact]
    public async Task TwoInstancesOneQueue_OneKilledHalfway_EveryTaskRightOnceThroughEither_Issue26()
    {
        using var dir = new TempDirectory();
        var replayed = dir.File("replayed.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", replayed]));
        var single = StoredInvocations.All(replayed);
        var expected = ExpectedTask.From(Fixtures.AllEvents());

        var exchange = "celeryev.shared." + Guid.NewGuid().ToString("N")[..8];
        var queue = "ingest.shared." + Guid.NewGuid().ToString("N")[..8];
        string[] Serve(string name) =>
        [
            "serve", "--db", dir.File(name + ".db"), "--clickhouse", _store.Url,
            "--amqp", fixture.Broker.Url, "--amqp-queue", queue, "--Ingest:Amqp:Exchange=" + exchange, "--Ingest:ClickHouse:Instance=" + name,
        ];

        var messages = Fixtures.Messages;
        var half = messages.Count / 2;
        await using var channel = await fixture.Connection.CreateChannelAsync();
        var a = IngestProcess.Start(Serve("a"));
        var b = IngestProcess.Start(Serve("b"));
        try
        {
            await Task.WhenAll(a.WaitReadyAsync(), b.WaitReadyAsync());
            await Wait.UntilAsync(() => Amqp(a).GetProperty("state").GetString() == "connected" && Amqp(b).GetProperty("state").GetString() == "connected", "both consumers");
            foreach (var m in messages.Take(half))
            {
                await Broker.PublishAsync(channel, exchange, m);
            }

            // Halfway: every message of the first half delivered, some to each (the queue is shared), and then
            // kill -9 of the first instance, wherever its flush loop is: what it had not made durable is not acked.
            await Wait.UntilAsync(() => Deliveries(a) + Deliveries(b) >= half && Deliveries(a) > 0 && Deliveries(b) > 0, "the first half delivered to both instances");
            await a.KillAsync();
            await a.DisposeAsync();
            foreach (var m in messages.Skip(half))
            {
                await Broker.PublishAsync(channel, exchange, m);
            }

            await Wait.UntilAsync(() => channel.QueueDeclarePassiveAsync(queue).GetAwaiter().GetResult().MessageCount == 0
                && Report(b).GetProperty("backlog") is var backlog && backlog.GetProperty("queued").GetInt32() == 0 && backlog.GetProperty("in_progress").GetInt32() == 0,
                "the queue to be consumed by the survivor", TimeSpan.FromMinutes(1));

            // The first instance back (same instance name): both must answer alike.
            a = IngestProcess.Start(Serve("a"));
            await a.WaitReadyAsync();
            foreach (var instance in new[] { b, a })
            {
                var wrong = new List<string>();
                await WaitOrKeepAsync(() => (wrong = Mismatches(instance, expected, single)).Count == 0);
                Assert.True(wrong.Count == 0, $"{wrong.Count} of {expected.Count} tasks wrong through :{instance.Port}, e.g. {string.Join("; ", wrong.Take(6))}");
            }
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await channel.QueueDeleteAsync(queue);
        }
    }

    public void Dispose() => _store.Dispose();

    /// <summary>What is wrong through one instance's API: by id (name, state, retries, args) and in the list (each task once, named).</summary>
    private static List<string> Mismatches(IngestProcess ingest, IReadOnlyDictionary<string, ExpectedTask> expected, Dictionary<string, Storage.InvocationRecord> single)
    {
        var wrong = new List<string>();
        foreach (var task in expected.Values)
        {
            using var response = ingest.Client.GetAsync("/api/invocations/" + task.TaskId).GetAwaiter().GetResult();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                wrong.Add($"{task.TaskId}: {(int)response.StatusCode}");
                continue;
            }

            var got = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement;
            var seen = (Text(got, "name"), Text(got, "state"), got.GetProperty("retries").GetInt32(), Text(got, "args"));
            var want = (task.Name, task.State, task.Retries, single[task.TaskId].Args);
            if (seen != want)
            {
                wrong.Add($"{task.TaskId}: {seen} instead of {want}");
            }
        }

        var listed = JsonDocument.Parse(ingest.Client.GetStringAsync("/api/invocations?limit=1000").GetAwaiter().GetResult()).RootElement
            .GetProperty("items").EnumerateArray().ToList();
        var ids = listed.Select(i => i.GetProperty("task_id").GetString()!).ToList();
        wrong.AddRange(ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => $"{g.Key} listed {g.Count()} times"));
        wrong.AddRange(expected.Keys.Except(ids).Select(id => $"{id} not listed"));
        wrong.AddRange(listed.Where(i => Text(i, "name") is null && expected.GetValueOrDefault(i.GetProperty("task_id").GetString()!)?.Name is not null).Select(i => $"{i.GetProperty("task_id").GetString()} listed without a name"));
        return wrong;
    }

    // The survivor's last checkpoint may still be on its way: retried until right or the deadline, then the caller asserts.
    private static async Task WaitOrKeepAsync(Func<bool> right)
    {
        try
        {
            await Wait.UntilAsync(right, "every task right");
        }
        catch (TimeoutException)
        {
        }
    }

    private static string? Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Deliveries(IngestProcess ingest) => Amqp(ingest).GetProperty("deliveries").GetInt64();

    private static JsonElement Amqp(IngestProcess ingest) => Report(ingest).GetProperty("sources").GetProperty("amqp");

    private static JsonElement Report(IngestProcess ingest) =>
        JsonDocument.Parse(ingest.Client.GetStringAsync("/api/ingest").GetAwaiter().GetResult()).RootElement.Clone();
}
