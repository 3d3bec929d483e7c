using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

public class InvocationsApiTests
{
    [Fact]
    public void View_OfARowInADayPastDetailRetention_SaysItsDetailsWereDropped()
    {
        var day = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var row = new Ingest.Storage.InvocationRecord { TaskId = "a", State = Ingest.Storage.TaskStates.Success, StateAt = day, FinishedAt = day };
        var through = new DateOnly(2026, 11, 20);

        Assert.True(Ingest.Endpoints.InvocationView.From(row, "stored", through).DetailsDropped);
        Assert.False(Ingest.Endpoints.InvocationView.From(row, "stored", through.AddDays(-1)).DetailsDropped);
        Assert.False(Ingest.Endpoints.InvocationView.From(row, "stored", null).DetailsDropped);
        // A task still in memory has whatever details its events carried.
        Assert.False(Ingest.Endpoints.InvocationView.From(row, "in_flight", through).DetailsDropped);
    }

    [Fact]
    public async Task PostFixtureBodies_ThenGetEveryTask_StateNameRetriesRuntimeMatchItsEvents()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var m in Fixtures.Messages)
        {
            using var response = await client.PostAsync("/api/events", Fixtures.Json(m.Body));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var expected = ExpectedTask.From(Fixtures.AllEvents());
        await Wait.UntilAsync(() => Healthz(client).Result.GetProperty("backlog").GetProperty("queued").GetInt32() == 0, "the backlog to drain");

        foreach (var (id, want) in expected)
        {
            var got = await client.GetFromJsonAsync<JsonElement>($"/api/invocations/{id}");
            Assert.Equal(want.State, got.GetProperty("state").GetString());
            Assert.Equal(want.Name, got.GetProperty("name").GetString());
            Assert.Equal(want.Retries, got.GetProperty("retries").GetInt32());
            if (want.Runtime is { } runtime)
            {
                Assert.Equal(runtime, got.GetProperty("runtime_s").GetDouble());
            }
        }
    }

    [Fact]
    public async Task Replay_ThenServeTheSameFile_EveryTaskIsStoredAsItsEventsSay()
    {
        using var dir = new TempDirectory();
        var db = dir.File("replayed.db");

        var exit = await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db]);
        Assert.Equal(0, exit);

        await using var factory = new IngestFactory(db);
        using var client = factory.CreateClient();
        var expected = ExpectedTask.From(Fixtures.AllEvents());
        foreach (var (id, want) in expected)
        {
            var got = await client.GetFromJsonAsync<JsonElement>($"/api/invocations/{id}");
            Assert.Equal("stored", got.GetProperty("source").GetString());
            Assert.True(want.State == got.GetProperty("state").GetString(), $"{id}: {got.GetProperty("state")} vs events {want.State}");
            Assert.Equal(want.Name, got.GetProperty("name").GetString());
            Assert.Equal(want.Retries, got.GetProperty("retries").GetInt32());
            Assert.Equal(want.Exception, got.GetProperty("exception").GetString());
            Assert.Equal(want.Result, got.GetProperty("result").GetString());
        }

        var page = await client.GetFromJsonAsync<JsonElement>("/api/invocations?limit=1000");
        Assert.Equal(expected.Count, page.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task GetInvocation_Fields_AreSnakeCaseWithIsoUtcTimes()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var body = """[{"hostname": "w1@h", "uuid": "t1", "name": "shop.process_order", "args": "()", "kwargs": "{'order_id': 12345}", "timestamp": 1795376624.7171166, "type": "task-received"}, {"hostname": "w1@h", "uuid": "t1", "result": "None", "runtime": 0.25, "timestamp": 1795376625.0, "type": "task-succeeded"}]""";
        using var posted = await client.PostAsync("/api/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var got = await client.GetFromJsonAsync<JsonElement>("/api/invocations/t1");

        Assert.Equal("SUCCESS", got.GetProperty("state").GetString());
        Assert.Equal("2026-11-22T19:43:44.717117Z", got.GetProperty("received_at").GetString());
        Assert.Equal("2026-11-22T19:43:45.000000Z", got.GetProperty("finished_at").GetString());
        Assert.Equal(0.25, got.GetProperty("runtime_s").GetDouble());
        Assert.Equal("{'order_id': 12345}", got.GetProperty("kwargs").GetString());
        Assert.Equal("w1@h", got.GetProperty("worker").GetString());
        foreach (var field in new[] { "task_id", "name", "state", "worker", "queue", "sent_at", "received_at", "started_at", "finished_at", "runtime_s", "retries", "args", "kwargs", "result", "exception", "traceback", "parent_id", "root_id" })
        {
            Assert.True(got.TryGetProperty(field, out _), $"missing field {field}");
        }
    }

    [Fact]
    public async Task GetInvocation_Unknown_Is404()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/invocations/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("state=DONE", "unknown state")]
    [InlineData("limit=0", "limit")]
    [InlineData("since=yesterday", "since and until")]
    [InlineData("cursor=zzz", "cursor")]
    public async Task ListInvocations_BadParameter_Is400WithAMessage(string query, string message)
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync($"/api/invocations?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Healthz(HttpClient client) => await client.GetFromJsonAsync<JsonElement>("/healthz");
}
