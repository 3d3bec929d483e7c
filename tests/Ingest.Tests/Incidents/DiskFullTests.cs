using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Storage;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Incidents;

/// <summary>
/// A full disk (simulated with <c>PRAGMA max_page_count</c>, which fails commits with SQLITE_FULL) (issue 12):
/// POST answered 202 while every commit failed. Senders are now told to back off, nothing accepted is lost
/// uncounted, and the accounting holds.
/// </summary>
public class DiskFullTests
{
    [Fact]
    public async Task DiskFull_PostAnswers503WithRetryAfter_AndEveryAcceptedInvocationIsCounted_Issue12()
    {
        await using var factory = new IngestFactory
        {
            TestServices = s => s.PostConfigure<StorageOptions>(o => o.OnWriterOpen = c =>
            {
                using var pragma = c.CreateCommand();
                // Room for the schema of today's and tomorrow's partitions and a few rows, then SQLITE_FULL.
                pragma.CommandText = "PRAGMA max_page_count = 400";
                pragma.ExecuteNonQuery();
            }),
        }.MovingClock().With("Ingest:Pipeline:MaxWriteAttempts", "2");
        using var client = factory.CreateClient();
        var args = new string('a', 4000);

        HttpResponseMessage? refused = null;
        for (var i = 0; i < 5000 && refused is null; i++)
        {
            var body = $$"""[{"type": "task-received", "uuid": "t{{i}}", "name": "t.x", "args": "{{args}}", "timestamp": 1795376624.0}, {"type": "task-succeeded", "uuid": "t{{i}}", "timestamp": 1795376625.0}]""";
            var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        Assert.NotNull(refused.Headers.RetryAfter);
        var reason = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains("commits are failing", reason, StringComparison.Ordinal);
        Assert.Contains("full", reason, StringComparison.OrdinalIgnoreCase);
        refused.Dispose();

        // What was accepted is stored, or counted as dropped after the retries (never silently gone).
        await Wait.UntilAsync(() => Json(client, "/healthz").GetProperty("backlog") is var b && b.GetProperty("queued").GetInt32() == 0 && b.GetProperty("in_progress").GetInt32() == 0, "the backlog to settle");
        var inv = Json(client, "/healthz").GetProperty("invocations");
        Assert.True(inv.GetProperty("dropped").GetProperty("write_failed").GetInt64() > 0);
        Assert.Equal(inv.GetProperty("received").GetInt64(), inv.GetProperty("flushed").GetInt64() + inv.GetProperty("dropped").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.Equal("degraded", Json(client, "/healthz").GetProperty("status").GetString());
    }

    private static JsonElement Json(HttpClient client, string url) => client.GetFromJsonAsync<JsonElement>(url).GetAwaiter().GetResult();
}
