using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Storage.ClickHouse;
using Ingest.Tests.Support;

namespace Ingest.Tests.Pipeline;

/// <summary>
/// <c>serve --clickhouse</c> end to end (issue 26): events posted to the real host are written by the flush loop to
/// ClickHouse, read back through the API from it, and the SQLite file holds none of them.
/// </summary>
public sealed class ClickHouseBatchWriterTests : IDisposable
{
    private readonly ClickHouseEndpoint _endpoint = TestClickHouse.FreshEndpoint();

    [Fact]
    public async Task Serve_WithClickHouse_WritesThereReadsFromThereAndLeavesSqliteWithoutTaskData_Issue26()
    {
        await using var factory = new IngestFactory().With("Ingest:ClickHouse:Url", _endpoint.BaseAddress + _endpoint.Database);
        using var client = factory.CreateClient();
        var body = """
            [{"type": "task-received", "uuid": "ch-task-1", "name": "shop.add", "args": "(1, 2)", "kwargs": "{'order_id': 12345}", "hostname": "w1@host", "timestamp": 1795376624.0},
             {"type": "task-succeeded", "uuid": "ch-task-1", "hostname": "w1@host", "runtime": 0.5, "result": "3", "timestamp": 1795376624.5}]
            """;

        using var response = await client.PostAsync("/api/events?wait=durable", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var store = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        var direct = new ClickHouseInvocationReader(store).Get("ch-task-1");
        Assert.Equal(("SUCCESS", "shop.add", "3"), (direct?.State, direct?.Name, direct?.Result));
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/invocations?name=shop.add");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(("ch-task-1", "SUCCESS"), (item.GetProperty("task_id").GetString(), item.GetProperty("state").GetString()));
        // The flush loop never opens the SQLite file with ClickHouse as the store: it may not even exist.
        var file = (File.Exists(factory.DatabasePath) ? System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(factory.DatabasePath)) : "")
            + (File.Exists(factory.DatabasePath + "-wal") ? System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(factory.DatabasePath + "-wal")) : "");
        Assert.DoesNotContain("ch-task-1", file, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        TestClickHouse.Drop(_endpoint);
    }
}
