using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Incidents;

/// <summary>
/// Issue 24: NUL characters in a task id, name and worker name were stored verbatim and reached <c>/metrics</c>
/// label values raw. They are removed on the way in, counted as repaired, and never stored or exported.
/// </summary>
public class ControlCharacterTests
{
    [Fact]
    public async Task Post_NulInIdNameAndHostname_StoredCleaned_CountedAsRepaired_MetricsHaveNoNul_Issue24()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var body = """
            [{"type": "task-sent", "uuid": "t\u0000ask", "name": "shop.\u0000add", "queue": "wo\u0000rk", "hostname": "gen@vm", "timestamp": 1795376623.9},
             {"type": "task-received", "uuid": "t\u0000ask", "name": "shop.\u0000add", "hostname": "w1@h\u0000ost", "timestamp": 1795376624.0},
             {"type": "task-succeeded", "uuid": "t\u0000ask", "hostname": "w1@h\u0000ost", "runtime": 0.5, "result": "3", "timestamp": 1795376624.5}]
            """;

        using var response = await client.PostAsync("/api/events?wait=durable", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(8, answer.GetProperty("repaired").GetProperty("control_characters").GetInt32());
        var stored = await client.GetFromJsonAsync<JsonElement>("/api/invocations/task");
        Assert.Equal(("shop.add", "w1@host", "work", "SUCCESS"),
            (stored.GetProperty("name").GetString(), stored.GetProperty("worker").GetString(), stored.GetProperty("queue").GetString(), stored.GetProperty("state").GetString()));
        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal(8, health.GetProperty("events").GetProperty("repaired").GetProperty("control_characters").GetInt32());

        var metrics = await client.GetStringAsync("/metrics");
        Assert.DoesNotContain('\0', metrics);
        Assert.Matches("""celery_task_succeeded_total\{hostname="host",name="shop.add",queue_name="work"\} 1""", metrics);
        var file = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(factory.DatabasePath))
            + (File.Exists(factory.DatabasePath + "-wal") ? System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(factory.DatabasePath + "-wal")) : "");
        Assert.DoesNotContain("t\0ask", file, StringComparison.Ordinal);
        Assert.DoesNotContain("shop.\0add", file, StringComparison.Ordinal);
    }
}
