using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Endpoints;
using Ingest.Storage;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Issue 24: every list answers a page, bounded in rows and in bytes, with a cursor to the rest; the pages together
/// are exactly the whole list.
/// </summary>
public sealed class ReadPagingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly double _now = Fixtures.CaptureEnd.AddMinutes(5).ToUnixTimeMilliseconds() / 1000.0;

    public void Dispose() => _dir.Dispose();

    /// <summary>Task k of <paramref name="names"/> runs <paramref name="runsOf"/>(k) times in the last ten minutes; every third run fails.</summary>
    private string Day(int names, Func<int, int> runsOf, string? args = null)
    {
        var db = _dir.File("ingest.db");
        var runs = new List<InvocationRecord>();
        for (var k = 0; k < names; k++)
        {
            for (var r = 0; r < runsOf(k); r++)
            {
                var i = runs.Count;
                runs.Add(GeneratedRuns.Run(i, $"task.{k:D4}", _now - 600 + (i * 0.01), i % 3 == 0, args));
            }
        }

        GeneratedRuns.Write(db, runs, Fixtures.Clock());
        return db;
    }

    private static async Task<List<JsonElement>> AllPagesAsync(HttpClient client, string path, string list)
    {
        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>(path + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            pages.Add(page);
            Assert.True(page.GetProperty(list).GetArrayLength() > 0, $"an empty page of {path}");
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        return pages;
    }

    [Fact]
    public async Task Tasks_PagedByCursor_EveryTaskOnce_MostRunsFirstThenByName_Issue24()
    {
        await using var factory = new IngestFactory(Day(30, k => 1 + (k / 2)));
        using var client = factory.CreateClient();
        var want = Enumerable.Range(0, 30).Select(k => ($"task.{k:D4}", 1L + (k / 2))).OrderByDescending(t => t.Item2).ThenBy(t => t.Item1, StringComparer.Ordinal);

        var pages = await AllPagesAsync(client, "/api/tasks?limit=7", "tasks");

        Assert.Equal(want, pages.SelectMany(p => p.GetProperty("tasks").EnumerateArray()).Select(t => (t.GetProperty("name").GetString()!, t.GetProperty("window").GetProperty("total").GetInt64())));
        Assert.Equal(5, pages.Count);
        Assert.All(pages, p => Assert.Equal(30, p.GetProperty("total_tasks").GetInt64()));
        // A cursor of another list, a forged one, and a page past the maximum are refused.
        var failuresCursor = (await client.GetFromJsonAsync<JsonElement>("/api/failures?limit=1")).GetProperty("next_cursor").GetString()!;
        foreach (var path in new[] { "/api/tasks?cursor=" + Uri.EscapeDataString(failuresCursor), "/api/tasks?cursor=bm9waXBl", "/api/tasks?limit=1001" })
        {
            using var refused = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
    }

    [Fact]
    public async Task Failures_PagedByCursor_AreTheGroupsOfOnePage_Issue24()
    {
        await using var factory = new IngestFactory(Day(30, k => 1 + (k / 2)));
        using var client = factory.CreateClient();

        var one = await client.GetFromJsonAsync<JsonElement>("/api/failures?limit=1000");
        var pages = await AllPagesAsync(client, "/api/failures?limit=4", "groups");

        static (string, string, long, string?) Group(JsonElement g) =>
            (g.GetProperty("name").GetString()!, g.GetProperty("exception_type").GetString()!, g.GetProperty("count").GetInt64(), g.GetProperty("example_task_id").GetString());
        var all = one.GetProperty("groups").EnumerateArray().Select(Group).ToList();
        Assert.True(all.Count > 4, $"{all.Count} groups");
        Assert.Null(one.GetProperty("next_cursor").GetString());
        Assert.Equal(all.Count, one.GetProperty("total_groups").GetInt64());
        Assert.Equal(all, pages.SelectMany(p => p.GetProperty("groups").EnumerateArray()).Select(Group));
    }

    /// <summary>More names than a page: facets list the 1,000 with the most runs and count the rest; a page of tasks stops at its byte budget.</summary>
    [Fact]
    public async Task FacetsAndTasks_MoreNamesThanAPage_CappedInRowsAndBytes_Issue24()
    {
        await using var factory = new IngestFactory(Day(1100, k => k < 1000 ? 2 : 1));
        using var client = factory.CreateClient();

        var facets = await client.GetFromJsonAsync<JsonElement>("/api/facets");
        using var first = await client.GetAsync("/api/tasks?limit=1000");
        var body = await first.Content.ReadAsByteArrayAsync();
        var pages = await AllPagesAsync(client, "/api/tasks?limit=1000", "tasks");

        Assert.Equal(Enumerable.Range(0, 1000).Select(k => $"task.{k:D4}"), facets.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(100, facets.GetProperty("names_omitted").GetInt64());
        Assert.InRange(body.Length, 1, PageBudget.DefaultMaxBytes + 4096);
        var page = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.InRange(page.GetProperty("tasks").GetArrayLength(), 100, 999);
        Assert.NotNull(page.GetProperty("next_cursor").GetString());
        var names = pages.SelectMany(p => p.GetProperty("tasks").EnumerateArray()).Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(1100, names.Count);
        Assert.Equal(1100, names.Distinct().Count());
    }

    [Fact]
    public async Task Invocations_RowsOf32KiBArgs_PageEndsAtTheByteBudget_AndTheCursorGoesOn_Issue24()
    {
        await using var factory = new IngestFactory(Day(1, _ => 200, new string('x', 32_000)));
        using var client = factory.CreateClient();

        using var first = await client.GetAsync("/api/invocations?limit=1000");
        var body = await first.Content.ReadAsByteArrayAsync();
        var pages = await AllPagesAsync(client, "/api/invocations?limit=1000", "items");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.InRange(body.Length, 1, PageBudget.DefaultMaxBytes + 4096);
        Assert.NotNull(JsonSerializer.Deserialize<JsonElement>(body).GetProperty("next_cursor").GetString());
        var ids = pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("task_id").GetString()).ToList();
        Assert.Equal(200, ids.Count);
        Assert.Equal(200, ids.Distinct().Count());
    }

    [Fact]
    public async Task Workers_PagedByName_Issue24()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var w in Enumerable.Range(0, 5))
        {
            var body = $$"""{"type": "worker-heartbeat", "hostname": "celery@w{{w}}", "timestamp": {{_now.ToString("R", CultureInfo.InvariantCulture)}}, "freq": 2, "active": 0, "processed": 1}""";
            using var posted = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var pages = await AllPagesAsync(client, "/api/workers?limit=2", "items");

        Assert.Equal([2, 2, 1], pages.Select(p => p.GetProperty("items").GetArrayLength()));
        Assert.Equal(Enumerable.Range(0, 5).Select(w => $"celery@w{w}"), pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(w => w.GetProperty("hostname").GetString()));
        Assert.All(pages, p => Assert.Equal(5, p.GetProperty("total").GetInt64()));
    }
}
