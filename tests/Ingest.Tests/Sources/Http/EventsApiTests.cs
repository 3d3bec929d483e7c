using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Sources.Http;

public class EventsApiTests
{
    [Fact]
    public async Task Post_UnparseableJson_Is400WithAClearMessageAndCounted()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/events", new StringContent("{\"type\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("body is not valid JSON", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal(1, health.GetProperty("events").GetProperty("rejected").GetProperty("malformed_json").GetInt32());
    }

    [Fact]
    public async Task Post_BatchWithBadElements_Is202AndKeepsTheGoodOnes()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var body = """[{"type": "task-succeeded", "uuid": "ok1", "timestamp": 1795376624.0}, {"type": "task-succeeded"}, {"type": "no-such-event", "uuid": "x"}, {"type": "task-succeeded", "uuid": "ok2", "timestamp": 1795376625.0}]""";

        using var response = await client.PostAsync("/api/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(2, result.GetProperty("rejected").GetInt32());
        Assert.Equal(1, result.GetProperty("rejected_by_reason").GetProperty("missing_uuid").GetInt32());
        Assert.Equal(1, result.GetProperty("rejected_by_reason").GetProperty("unknown_type").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/invocations/ok2")).StatusCode);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413AndCounted()
    {
        await using var factory = new IngestFactory().With("Ingest:Decoder:MaxBodyBytes", "2048");
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/events", Fixtures.Json(new byte[4096]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal(1, health.GetProperty("events").GetProperty("rejected").GetProperty("too_large").GetInt32());
    }

    [Fact]
    public async Task Post_WorkerHeartbeats_FillTheWorkersTable()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var m in Fixtures.Messages.Where(m => m.RoutingKey.StartsWith("worker.", StringComparison.Ordinal)))
        {
            using var _ = await client.PostAsync("/api/events", Fixtures.Json(m.Body));
        }

        var workers = await client.GetFromJsonAsync<JsonElement>("/api/workers");

        var w = Assert.Single(workers.GetProperty("items").EnumerateArray());
        Assert.Equal("w1@ingest-capture", w.GetProperty("hostname").GetString());
        Assert.Equal("offline", w.GetProperty("status").GetString());
        Assert.Equal("5.2.6", w.GetProperty("software_version").GetString());
        Assert.Equal("ingest-capture", w.GetProperty("worker_group").GetString());
        // ISO 8601 like every other time in the API (issue 16: it was Unix seconds).
        Assert.EndsWith("Z", w.GetProperty("last_heartbeat_at").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(w.GetProperty("last_heartbeat_at").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Post_TheWholeCapture_WorkersListTheQueuesTheirTasksCameFrom()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var m in Fixtures.Messages)
        {
            using var _ = await client.PostAsync("/api/events", Fixtures.Json(m.Body));
        }

        var w = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/workers")).GetProperty("items").EnumerateArray());

        Assert.Equal(["celery"], w.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
    }

    [Fact]
    public async Task Post_WaitDurable_AnswersAfterTheCommit_UnfinishedTasksAreInTheCheckpoint_Issue13()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var body = """[{"type": "task-received", "uuid": "running", "name": "t.slow", "args": "(1,)", "timestamp": 1795376624.0}, {"type": "task-received", "uuid": "done", "name": "t.fast", "timestamp": 1795376624.0}, {"type": "task-succeeded", "uuid": "done", "runtime": 0.1, "timestamp": 1795376624.5}]""";

        using var response = await client.PostAsync("/api/events?wait=durable", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("durable").GetBoolean());
        // Read from the file itself: committed, not only in memory.
        var reader = new Ingest.Storage.Reading.InvocationReader(new Ingest.Storage.StorageOptions { DatabasePath = factory.DatabasePath });
        Assert.Equal("SUCCESS", reader.Get("done")?.State);
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT state FROM inflight_tasks WHERE task_id = 'running'";
        Assert.Contains("t.slow", (string)cmd.ExecuteScalar()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WaitSomethingElse_Is400()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/events?wait=forever", new StringContent("[]", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>Issue 15: a secret in kwargs is masked before it is stored or indexed, and counted; the rest stays findable.</summary>
    [Fact]
    public async Task Post_KwargsWithAPassword_StoresItMasked_SearchCannotFindIt_AndCountsIt()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var body = """[{"type": "task-received", "uuid": "login-1", "name": "auth.login", "kwargs": "{'user': 'ops-bob', 'password': 'hunter2-secret'}", "timestamp": 1795376624.0}, {"type": "task-succeeded", "uuid": "login-1", "result": "{'access_token': 'eyJtoken'}", "runtime": 0.1, "timestamp": 1795376624.5}]""";

        using var response = await client.PostAsync("/api/events?wait=durable", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await client.GetFromJsonAsync<JsonElement>("/api/invocations/login-1");
        Assert.Equal("{'user': 'ops-bob', 'password': '***'}", stored.GetProperty("kwargs").GetString());
        Assert.Equal("{'access_token': '***'}", stored.GetProperty("result").GetString());
        var bySecret = await client.GetFromJsonAsync<JsonElement>("/api/invocations?q=hunter2-secret&since=2026-11-22T00:00:00Z");
        Assert.Empty(bySecret.GetProperty("items").EnumerateArray());
        var byUser = await client.GetFromJsonAsync<JsonElement>("/api/invocations?q=ops-bob&since=2026-11-22T00:00:00Z");
        Assert.Equal("login-1", Assert.Single(byUser.GetProperty("items").EnumerateArray()).GetProperty("task_id").GetString());
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal(2, health.GetProperty("events").GetProperty("repaired").GetProperty("redacted").GetInt32());
        Assert.DoesNotContain("hunter2", System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(factory.DatabasePath)) + ReadWal(factory.DatabasePath), StringComparison.Ordinal);
    }

    private static string ReadWal(string db) =>
        File.Exists(db + "-wal") ? System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(db + "-wal")) : "";
}
