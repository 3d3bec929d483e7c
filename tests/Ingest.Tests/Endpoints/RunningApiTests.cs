using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Endpoints;
using Ingest.Storage;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

public class RunningApiTests
{
    private static readonly IReadOnlyDictionary<string, double> s_p99 = new Dictionary<string, double> { ["slow"] = 2.0 };

    private static InvocationRecord Run(string state, double at, string name = "slow", string? eta = null) =>
        new() { TaskId = "t", State = state, StateAt = at, Name = name, Eta = eta };

    [Fact]
    public void View_StartedPastFactorTimesP99_IsStuck_AndNotBefore_Issue25()
    {
        Assert.False(RunningApi.View(Run(TaskStates.Started, 100), 106, s_p99, 3).Stuck);
        var past = RunningApi.View(Run(TaskStates.Started, 100), 106.5, s_p99, 3);
        Assert.True(past.Stuck);
        Assert.Equal(6.0, past.StuckAfterS);
        Assert.Equal(2.0, past.BaselineP99S);
    }

    [Fact]
    public void View_NoBaseline_OrWaitingOnAnEta_OrNotStarted_IsNeverStuck_Issue25()
    {
        var noBaseline = RunningApi.View(Run(TaskStates.Started, 0, name: "new"), 1e6, s_p99, 3);
        Assert.False(noBaseline.Stuck);
        Assert.Null(noBaseline.BaselineP99S);

        var eta = DateTimeOffset.FromUnixTimeSeconds(2000).ToString("O", CultureInfo.InvariantCulture);
        var waiting = RunningApi.View(Run(TaskStates.Received, 0, eta: eta), 1000, s_p99, 3);
        Assert.True(waiting.WaitingEta);
        Assert.False(waiting.Stuck);
        Assert.False(RunningApi.View(Run(TaskStates.Received, 0, eta: eta), 2001, s_p99, 3).WaitingEta);
        Assert.False(RunningApi.View(Run(TaskStates.Received, 0), 1000, s_p99, 3).Stuck);
    }

    [Fact]
    public async Task InFlight_LongRunOfATaskWithABaseline_MarkedStuckOnceTheClockPassesItsThreshold_Issue25()
    {
        var clock = Fixtures.Clock();
        await using var factory = new IngestFactory { Time = clock };
        using var client = factory.CreateClient();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var events = SlowTaskRuns.Baseline(now);
        var eta = clock.GetUtcNow().AddHours(1).ToString("O", CultureInfo.InvariantCulture);
        events.Append(CultureInfo.InvariantCulture, $$"""
            {"type": "task-received", "uuid": "long", "name": "shop.slow", "queue": "celery", "timestamp": {{now - 2}}},
            {"type": "task-started", "uuid": "long", "hostname": "w1@h", "timestamp": {{now - 1}}},
            {"type": "task-received", "uuid": "later", "name": "shop.slow", "eta": "{{eta}}", "hostname": "w1@h", "timestamp": {{now - 100}}},
            {"type": "task-received", "uuid": "fresh", "name": "shop.unknown", "timestamp": {{now - 1001}}},
            {"type": "task-started", "uuid": "fresh", "hostname": "w2@h", "timestamp": {{now - 1000}}}
            """);
        await SlowTaskRuns.PostAsync(client, events);

        var before = await client.GetFromJsonAsync<JsonElement>("/api/in-flight");
        Assert.Equal(2, before.GetProperty("counts").GetProperty("STARTED").GetInt32());
        Assert.Equal(1, before.GetProperty("counts").GetProperty("ETA").GetInt32());
        Assert.Equal(3, before.GetProperty("total").GetInt32());
        Assert.Equal(["fresh", "later", "long"], before.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("run").GetProperty("task_id").GetString()));
        Assert.All(before.GetProperty("items").EnumerateArray(), i => Assert.False(i.GetProperty("stuck").GetBoolean()));
        var longRun = Item(before, "long");
        var threshold = longRun.GetProperty("stuck_after_s").GetDouble();
        Assert.InRange(threshold, 2.7, 3.3); // three times a p99 of about a second (the histogram's buckets are 5% wide)
        Assert.Equal(JsonValueKind.Null, Item(before, "fresh").GetProperty("baseline_p99_s").ValueKind);
        Assert.True(Item(before, "later").GetProperty("waiting_eta").GetBoolean());

        clock.Advance(TimeSpan.FromSeconds(threshold));
        var after = await client.GetFromJsonAsync<JsonElement>("/api/in-flight?state=started&name=SLOW");

        Assert.True(Item(after, "long").GetProperty("stuck").GetBoolean());
        Assert.Equal(["long"], after.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("run").GetProperty("task_id").GetString()));
        Assert.Equal(1, after.GetProperty("total").GetInt32());
    }

    private static JsonElement Item(JsonElement page, string id) =>
        page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("run").GetProperty("task_id").GetString() == id);
}
