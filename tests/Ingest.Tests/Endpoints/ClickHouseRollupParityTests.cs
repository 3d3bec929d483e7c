using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Storage.ClickHouse;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Issue 26: the console's figures on ClickHouse. The fixture capture posted to a SQLite host and to a
/// <c>--clickhouse</c> host gives the same Tasks page, per-task stats (counts and percentiles), failure groups and
/// queue and worker facets through the API: every figure read from the store the host writes.
/// </summary>
public sealed class ClickHouseRollupParityTests : IDisposable
{
    private readonly ClickHouseEndpoint _endpoint = ClickHouseEndpoint.Parse(
        (Environment.GetEnvironmentVariable("INGEST_TEST_CLICKHOUSE_URL")
         ?? throw new InvalidOperationException("No ClickHouse: INGEST_TEST_CLICKHOUSE_URL is set by scripts/test, which starts a private clickhouse-server. Run the tests with scripts/test.")).TrimEnd('/')
        + "/t_" + Guid.NewGuid().ToString("N")[..16]);

    [Fact]
    public async Task Capture_OnSqliteAndOnClickHouse_SameTasksStatsFailuresAndFacets_Issue26()
    {
        await using var sqlite = new IngestFactory();
        await using var clickhouse = new IngestFactory().With("Ingest:ClickHouse:Url", _endpoint.BaseAddress + _endpoint.Database);
        var onSqlite = await FiguresAsync(sqlite);
        var onClickHouse = await FiguresAsync(clickhouse);

        // The capture has tasks, failures and queues: an empty page on both would prove nothing.
        Assert.True(onSqlite["/api/tasks?limit=200"].GetProperty("tasks").GetArrayLength() > 3, onSqlite["/api/tasks?limit=200"].ToString());
        Assert.NotEqual(0, onSqlite["/api/failures?limit=200"].GetProperty("groups").GetArrayLength());
        Assert.Equal(onSqlite.Keys, onClickHouse.Keys);
        foreach (var (route, figures) in onSqlite)
        {
            Assert.Equal((route, figures.ToString()), (route, onClickHouse[route].ToString()));
        }
    }

    /// <summary>Posts the capture (the last message waits until it is durable) and reads every rollup route once, each task's stats too.</summary>
    private static async Task<Dictionary<string, JsonElement>> FiguresAsync(IngestFactory factory)
    {
        using var client = factory.CreateClient();
        for (var i = 0; i < Fixtures.Messages.Count; i++)
        {
            using var posted = await client.PostAsync(i == Fixtures.Messages.Count - 1 ? "/api/events?wait=durable" : "/api/events", Fixtures.Json(Fixtures.Messages[i].Body));
            posted.EnsureSuccessStatusCode();
        }

        var figures = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        async Task ReadAsync(string route) => figures[route] = await client.GetFromJsonAsync<JsonElement>(route);
        foreach (var route in (string[])["/api/tasks?limit=200", "/api/failures?limit=200", "/api/facets", "/api/tasks?limit=200&since=-15m"])
        {
            await ReadAsync(route);
        }

        foreach (var task in figures["/api/tasks?limit=200"].GetProperty("tasks").EnumerateArray())
        {
            await ReadAsync($"/api/tasks/{Uri.EscapeDataString(task.GetProperty("name").GetString()!)}/stats");
        }

        return figures;
    }

    public void Dispose()
    {
        using var store = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        store.QueryServer($"DROP DATABASE IF EXISTS {_endpoint.Database}");
    }
}
