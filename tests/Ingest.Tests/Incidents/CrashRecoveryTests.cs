using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Storage;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;
using RabbitMQ.Client;

namespace Ingest.Tests.Incidents;

/// <summary>
/// kill -9 (an OOM kill, a node failure, a liveness kill) loses nothing (issue 13): tasks in flight keep their
/// names and args across it, and over AMQP a delivery is acknowledged only once its effects are committed.
/// </summary>
public class CrashRecoveryTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Kill9WithTasksInFlight_RestartRestoresThem_EveryTaskKeepsItsNameAndArgs_Issue13()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        var now = TestClock.UnixSeconds;
        await using (var first = IngestProcess.Start("serve", "--db", db))
        {
            await first.WaitReadyAsync();
            await PostAsync(first, Enumerable.Range(0, 100).Select(i =>
                $$"""{"type": "task-received", "uuid": "t{{i}}", "name": "shop.tasks.process_order", "args": "({{i}},)", "kwargs": "{'order_id': {{i}}}", "hostname": "w1@h", "timestamp": {{Ts(now + i * 0.001)}}}"""));
            await Wait.UntilAsync(() => Report(first).GetProperty("flush_loop").GetProperty("checkpoint_rows_written").GetInt64() >= 100, "the tasks in flight to be checkpointed");
            await first.KillAsync();
        }

        await using var second = IngestProcess.Start("serve", "--db", db);
        await second.WaitReadyAsync();
        Assert.Equal(100, Report(second).GetProperty("tracker").GetProperty("restored_from_checkpoint").GetInt32());
        await PostAsync(second, Enumerable.Range(0, 100).Select(i =>
            $$"""{"type": "task-succeeded", "uuid": "t{{i}}", "result": "'ok'", "runtime": 0.5, "hostname": "w1@h", "timestamp": {{Ts(now + 1 + i * 0.001)}}}"""));
        Assert.Equal(0, await second.TerminateAsync());

        var stored = StoredInvocations.All(db);
        Assert.Equal(100, stored.Count);
        Assert.All(stored.Values, r =>
        {
            Assert.Equal(TaskStates.Success, r.State);
            Assert.Equal("shop.tasks.process_order", r.Name);
            Assert.Equal($"({r.TaskId[1..]},)", r.Args);
        });
        Assert.Equal("ok", Integrity(db));
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM inflight_tasks"));
    }

    [Fact]
    public async Task AmqpWithKill9sMidStream_EveryTaskStoredOnceWithNameArgsAndFinalState_Issue13()
    {
        var broker = fixture.Broker;
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        var exchange = "celeryev.crash." + Guid.NewGuid().ToString("N")[..8];
        var queue = "ingest.crash." + Guid.NewGuid().ToString("N")[..8];
        string[] serve = ["serve", "--db", db, "--amqp", broker.Url, "--amqp-queue", queue, "--Ingest:Amqp:Exchange=" + exchange];
        await using var channel = await fixture.Connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);

        const int Tasks = 3000;
        var now = TestClock.UnixSeconds;
        var ingest = IngestProcess.Start(serve);
        var before = "";
        try
        {
            await ingest.WaitReadyAsync();
            await Wait.UntilAsync(() => Amqp(ingest).GetProperty("state").GetString() == "connected", "the first consumer");
            for (var i = 0; i < Tasks; i++)
            {
                // Received and started in one message, the outcome in a later one: a kill between them leaves the
                // task in flight, held only by the checkpoint and the broker.
                var t = now + (i * 0.001);
                await Publish(channel, exchange, $$"""[{"type": "task-received", "uuid": "c{{i}}", "name": "shop.tasks.crash", "args": "({{i}},)", "kwargs": "{}", "hostname": "w1@h", "timestamp": {{Ts(t)}}}, {"type": "task-started", "uuid": "c{{i}}", "hostname": "w1@h", "timestamp": {{Ts(t + 0.0001)}}}]""");
                if (i >= 50)
                {
                    var j = i - 50;
                    await Publish(channel, exchange, $$"""[{"type": "task-succeeded", "uuid": "c{{j}}", "result": "'ok'", "runtime": 0.05, "hostname": "w1@h", "timestamp": {{Ts(now + (j * 0.001) + 0.05)}}}]""");
                }

                if (i is 700 or 1500 or 2300)
                {
                    // kill -9 wherever the loop happens to be: mid-batch, mid-checkpoint or idle.
                    await ingest.KillAsync();
                    await ingest.DisposeAsync();
                    ingest = IngestProcess.Start(serve);
                    await ingest.WaitReadyAsync();
                }
            }

            for (var j = Tasks - 50; j < Tasks; j++)
            {
                await Publish(channel, exchange, $$"""[{"type": "task-succeeded", "uuid": "c{{j}}", "result": "'ok'", "runtime": 0.05, "hostname": "w1@h", "timestamp": {{Ts(now + (j * 0.001) + 0.05)}}}]""");
            }

            // Consumed means merged and written: nothing queued and nothing in flight (on a loaded host the last
            // succeeded events may still be on their way through the tracker when the broker's queue is empty).
            await Wait.UntilAsync(() => channel.QueueDeclarePassiveAsync(queue).GetAwaiter().GetResult().MessageCount == 0
                && Report(ingest).GetProperty("backlog") is var b && b.GetProperty("queued").GetInt32() == 0 && b.GetProperty("in_progress").GetInt32() == 0,
                "the queue to be consumed", TimeSpan.FromMinutes(2));
            before = Report(ingest).GetProperty("invocations").GetRawText();
            Assert.Equal(0, await ingest.TerminateAsync());
        }
        finally
        {
            await ingest.DisposeAsync();
            await channel.QueueDeleteAsync(queue);
        }

        var stored = StoredInvocations.All(db);
        Assert.True(stored.Count == Tasks, $"{stored.Count} of {Tasks} stored; the last instance's counts before its stop: {before}");
        var wrong = stored.Values.Where(r => r.State != TaskStates.Success || r.Name != "shop.tasks.crash" || r.Args != $"({r.TaskId[1..]},)").Take(5).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} tasks stored wrong, e.g. {string.Join("; ", wrong)}");
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM invocations_" + DateTimeOffset.FromUnixTimeMilliseconds((long)(now * 1000)).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + " WHERE name IS NULL"));
        Assert.Equal("ok", Integrity(db));
    }

    private static async Task Publish(IChannel channel, string exchange, string body) =>
        await channel.BasicPublishAsync(exchange, "task.multi", mandatory: false, new BasicProperties { ContentType = "application/json" }, Encoding.UTF8.GetBytes(body));

    private static async Task PostAsync(IngestProcess ingest, IEnumerable<string> events)
    {
        using var content = new StringContent("[" + string.Join(", ", events) + "]", Encoding.UTF8, "application/json");
        using var response = await ingest.Client.PostAsync("/api/events", content);
        response.EnsureSuccessStatusCode();
    }

    private static JsonElement Report(IngestProcess ingest)
    {
        using var response = ingest.Client.GetAsync("/api/ingest").GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        // A failed report says what the server said and logged, not only its status.
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.Clone()
            : throw new HttpRequestException($"/api/ingest answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}\n--- ingest's output:\n{ingest.Output[^Math.Min(ingest.Output.Length, 6000)..]}");
    }

    private static JsonElement Amqp(IngestProcess ingest) => Report(ingest).GetProperty("sources").GetProperty("amqp");

    private static string Integrity(string db) => (string)Scalar(db, "PRAGMA integrity_check")!;

    private static object? Scalar(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static string Ts(double t) => t.ToString("R", CultureInfo.InvariantCulture);
}
