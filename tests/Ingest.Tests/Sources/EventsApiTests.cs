using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Sources;

public class EventsApiTests
{
    [Fact]
    public async Task Post_UnparseableJson_Is400WithAClearMessageAndCounted()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/events", new StringContent("{\"type\": "));

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

        using var response = await client.PostAsync("/api/events", new StringContent(body));

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

        using var response = await client.PostAsync("/api/events", new ByteArrayContent(new byte[4096]));

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
            using var _ = await client.PostAsync("/api/events", new ByteArrayContent(m.Body));
        }

        var workers = await client.GetFromJsonAsync<JsonElement>("/api/workers");

        var w = Assert.Single(workers.GetProperty("items").EnumerateArray());
        Assert.Equal("w1@ingest-capture", w.GetProperty("hostname").GetString());
        Assert.Equal("offline", w.GetProperty("status").GetString());
        Assert.Equal("5.2.6", w.GetProperty("software_version").GetString());
    }
}
