using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>A task name is a path segment of /api/tasks/{name}/stats; a "/" in it arrives still encoded as %2F.</summary>
public class TaskNameInPathTests
{
    [Fact]
    public async Task Stats_TaskNameWithASlash_IsFound()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var at = Fixtures.CaptureEnd.ToUnixTimeSeconds();
        using var posted = await client.PostAsync("/api/events?wait=durable", new StringContent(
            $$"""[{"type": "task-received", "uuid": "slash-1", "name": "shop/orders.add", "timestamp": {{at}}}, {"type": "task-succeeded", "uuid": "slash-1", "runtime": 0.5, "timestamp": {{at + 1}}}]""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode); // wait=durable answers once the batch is committed

        using var stats = await client.GetAsync($"/api/tasks/{Uri.EscapeDataString("shop/orders.add")}/stats?since={at - 3600}&until={at + 60}");

        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("shop/orders.add", (await stats.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
    }
}
