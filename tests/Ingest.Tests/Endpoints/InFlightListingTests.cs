using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Issue 25: a live server lists every task it has seen, those still in flight included, with the same filters and
/// paging. The capture cut at 70% of its messages leaves tasks received or started and not finished.
/// </summary>
public class InFlightListingTests
{
    private static async Task<(IngestFactory Factory, HttpClient Client, HashSet<string> Ids)> PostCutAsync()
    {
        var factory = new IngestFactory();
        var client = factory.CreateClient();
        var cut = Fixtures.Messages.Take(Fixtures.Messages.Count * 7 / 10).ToList();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in cut)
        {
            var root = JsonDocument.Parse(m.Body).RootElement;
            foreach (var e in root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root])
            {
                if (e.GetProperty("type").GetString()!.StartsWith("task-", StringComparison.Ordinal))
                {
                    ids.Add(e.GetProperty("uuid").GetString()!);
                }
            }

            using var response = await client.PostAsync("/api/events?wait=durable", Fixtures.Json(m.Body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return (factory, client, ids);
    }

    private static async Task<List<JsonElement>> AllPagesAsync(HttpClient client, string query, int limit)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/invocations?limit={limit}{query}{(cursor is null ? "" : $"&cursor={cursor}")}");
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        return items;
    }

    [Fact]
    public async Task Invocations_CaptureCutAt70Percent_EveryTaskSeenAppearsExactlyOnce_InFlightMarked_Issue25()
    {
        var (factory, client, ids) = await PostCutAsync();
        await using var _ = factory;
        using var __ = client;

        var items = await AllPagesAsync(client, "", 17);
        var listed = items.Select(i => i.GetProperty("task_id").GetString()!).ToList();
        var inFlight = items.Where(i => i.GetProperty("in_flight").GetBoolean()).ToList();

        Assert.Equal(ids.Count, listed.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.NotEmpty(inFlight); // the cut leaves tasks unfinished: without them the list is short (25 of 36 were missing)
        Assert.All(inFlight, i => Assert.Equal("in_flight", i.GetProperty("source").GetString()));
        var healthz = await client.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal(healthz.GetProperty("tracker").GetProperty("in_flight").GetInt32(), inFlight.Count);
    }

    [Fact]
    public async Task Invocations_StateFilterAndNameSubstringAndValueSearch_FindInFlightRuns_Issue25()
    {
        var (factory, client, _) = await PostCutAsync();
        await using var _f = factory;
        using var _c = client;
        var all = await AllPagesAsync(client, "", 1000);

        foreach (var state in all.Where(i => i.GetProperty("in_flight").GetBoolean()).Select(i => i.GetProperty("state").GetString()!).Distinct())
        {
            var want = all.Where(i => i.GetProperty("state").GetString() == state).Select(i => i.GetProperty("task_id").GetString()).Order();
            var got = (await AllPagesAsync(client, $"&state={state}", 5)).Select(i => i.GetProperty("task_id").GetString()).Order();
            Assert.Equal(want, got);
        }

        var running = all.First(i => i.GetProperty("in_flight").GetBoolean() && i.GetProperty("name").GetString() is { Length: > 4 });
        var id = running.GetProperty("task_id").GetString();
        var name = running.GetProperty("name").GetString()!;
        var part = name[(name.Length / 2 - 2)..(name.Length / 2 + 2)];
        var byName = await AllPagesAsync(client, $"&q={Uri.EscapeDataString($"name:{part.ToUpperInvariant()}")}", 1000);
        Assert.Contains(id, byName.Select(i => i.GetProperty("task_id").GetString()));
        Assert.All(byName, i => Assert.Contains(part, i.GetProperty("name").GetString()!, StringComparison.OrdinalIgnoreCase));

        // A word of its args or kwargs (the cut leaves capapp.rejecter received with args (False,)).
        var withArgs = all.First(i => i.GetProperty("in_flight").GetBoolean()
            && System.Text.RegularExpressions.Regex.IsMatch($"{i.GetProperty("args")} {i.GetProperty("kwargs")}", "[A-Za-z0-9]{3,}"));
        var value = System.Text.RegularExpressions.Regex.Match($"{withArgs.GetProperty("args")} {withArgs.GetProperty("kwargs")}", "[A-Za-z0-9]{3,}").Value;
        var found = await AllPagesAsync(client, $"&q={value}", 1000);
        Assert.Contains(withArgs.GetProperty("task_id").GetString(), found.Select(i => i.GetProperty("task_id").GetString()));
    }

    [Fact]
    public async Task Invocations_400TasksWith37InFlightAtTiedTimes_EachOnceAcrossPages_AndInTheStateFilter_Issue25()
    {
        var clock = Fixtures.Clock();
        await using var factory = new IngestFactory { Time = clock };
        using var client = factory.CreateClient();
        var now = Math.Floor(clock.GetUtcNow().ToUnixTimeSeconds() / 10.0) * 10;
        var events = new System.Text.StringBuilder("[");
        for (var i = 0; i < 400; i++)
        {
            // Ten tasks share each second, so the pages' keyset breaks ties by task id in both sources.
            var at = now - 100 + (i / 10);
            events.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"type": "task-received", "uuid": "g-{{i:D3}}", "name": "gen.t{{i % 3}}", "timestamp": {{at}}},""");
            events.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"type": "task-started", "uuid": "g-{{i:D3}}", "hostname": "w1@h", "timestamp": {{at}}},""");
            if (i % 11 != 0)
            {
                events.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"type": "task-succeeded", "uuid": "g-{{i:D3}}", "hostname": "w1@h", "runtime": 0.5, "timestamp": {{at}}},""");
            }
        }

        events.Length--;
        events.Append(']');
        using var posted = await client.PostAsync("/api/events?wait=durable", new StringContent(events.ToString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var listed = (await AllPagesAsync(client, "", 17)).Select(i => i.GetProperty("task_id").GetString()).ToList();
        var started = await AllPagesAsync(client, "&state=STARTED", 7);

        Assert.Equal(400, listed.Count);
        Assert.Equal(400, listed.Distinct().Count());
        Assert.Equal(37, started.Count); // every eleventh of 400 never finishes
        Assert.All(started, i => Assert.True(i.GetProperty("in_flight").GetBoolean()));
    }

    [Fact]
    public async Task Invocations_AfterARestart_ARunStoredAtShutdownAndRestoredToTheTracker_IsListedOnceInFlight_Issue25()
    {
        using var dir = new TempDirectory();
        var db = dir.File("restart.db");
        var now = Fixtures.Clock().GetUtcNow().ToUnixTimeSeconds();
        await using (var first = new IngestFactory(db))
        {
            using var client = first.CreateClient();
            using var posted = await client.PostAsync("/api/events?wait=durable", new StringContent($$"""
                [{"type": "task-received", "uuid": "kept", "name": "shop.long", "timestamp": {{now - 20}}},
                 {"type": "task-started", "uuid": "kept", "hostname": "w1@h", "timestamp": {{now - 10}}}]
                """, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        // Shutdown wrote it with its last state and kept its checkpoint row: the second life has it in both places.
        await using var second = new IngestFactory(db);
        using var again = second.CreateClient();
        var items = await AllPagesAsync(again, "", 1);
        var inFlight = await again.GetFromJsonAsync<JsonElement>("/api/in-flight");

        var only = Assert.Single(items);
        Assert.Equal("kept", only.GetProperty("task_id").GetString());
        Assert.True(only.GetProperty("in_flight").GetBoolean());
        Assert.Equal("kept", Assert.Single(inFlight.GetProperty("items").EnumerateArray()).GetProperty("run").GetProperty("task_id").GetString());
    }
}
