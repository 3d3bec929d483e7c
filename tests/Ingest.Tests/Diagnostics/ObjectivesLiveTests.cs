using System.Text;
using System.Text.Json;
using Ingest.Insights.Objectives;
using Ingest.Tests.Support;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Issue 28: a live Ingest started with <c>--objectives</c>, scraped by a real Prometheus loaded with the generated
/// rules. One task's failures jump past its objective, another's stay within: the fast-burn alert of the first
/// becomes pending (the real rules: rate() over 1h and 5m extrapolates from seconds of samples), none of the second's
/// does, and /api/objectives shows the first burning its budget and the second not.
/// </summary>
public class ObjectivesLiveTests
{
    private const string Objectives = """
        {"objectives": [
          {"name": "flaky", "task": "live.flaky", "success_rate": 0.99},
          {"name": "steady", "task": "live.steady", "success_rate": 0.99}
        ]}
        """;

    [Fact]
    public async Task OneTaskFailingPastItsObjective_ItsFastBurnAlertPendsAndOnlyItsBudgetBurns_Issue28()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("objectives.json"), Objectives);
        await File.WriteAllTextAsync(dir.File("rules.yml"), BurnRateRules.Generate(ObjectiveSet.Load(dir.File("objectives.json")), "objectives.json"));
        await using var ingest = IngestProcess.Start("serve", "--db", dir.File("ingest.db"), "--objectives", dir.File("objectives.json"));
        await ingest.WaitReadyAsync();
        await using var prometheus = await PrometheusServer.StartAsync(dir, PrometheusServer.ScrapeConfig($"127.0.0.1:{ingest.Port}", [dir.File("rules.yml")]));
        // The four SLI series, at zero, scraped before any event: the first sample every rate starts from.
        await prometheus.WaitForAsync("ingest_objective_events_total", r => r.Count == 4, "the SLI series at zero");

        for (var round = 1; round <= 2; round++)
        {
            await PostAsync(ingest, Tasks($"flaky-{round}", "live.flaky", 40, failEvery: 2), Tasks($"steady-{round}", "live.steady", 40, failEvery: 0));
            var bad = round * 20;
            await prometheus.WaitForAsync("ingest_objective_events_total{objective=\"flaky\",outcome=\"bad\"}", r => r.Count == 1 && r[0].Value >= bad, $"round {round} scraped");
        }

        await Wait.UntilAsync(() => Alerts(prometheus).Contains(("IngestObjectiveFastBurn", "flaky")), "the flaky objective's fast-burn alert to be pending", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(Alerts(prometheus), a => a.Objective == "steady");
        var rules = (await prometheus.RulesAsync()).EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.All(rules, r => Assert.True(r.GetProperty("health").GetString() == "ok", r.ToString()));

        // The console's figures come from the rollups: once both tasks' runs are written, only flaky burns.
        JsonElement tasks = default;
        await Wait.UntilAsync(() =>
        {
            using var doc = JsonDocument.Parse(ingest.Client.GetStringAsync("/api/objectives").GetAwaiter().GetResult());
            tasks = doc.RootElement.GetProperty("tasks").Clone();
            return tasks.GetArrayLength() == 2 && tasks.EnumerateArray().Sum(t => t.GetProperty("slis")[0].GetProperty("window_good").GetInt64() + t.GetProperty("slis")[0].GetProperty("window_bad").GetInt64()) == 160;
        }, "both tasks' runs in the rollups");
        var flaky = tasks[0];
        var steady = tasks[1];
        Assert.Equal(("live.flaky", "flaky", true), (flaky.GetProperty("name").GetString(), flaky.GetProperty("objective").GetString(), flaky.GetProperty("burning").GetBoolean()));
        Assert.Equal(50, flaky.GetProperty("burn_rate").GetDouble(), 6);
        Assert.Equal(-49, flaky.GetProperty("budget_left").GetDouble(), 6);
        Assert.Equal(("live.steady", false), (steady.GetProperty("name").GetString(), steady.GetProperty("burning").GetBoolean()));
        Assert.Equal(0, steady.GetProperty("burn_rate").GetDouble());
        Assert.Equal(1, steady.GetProperty("budget_left").GetDouble());
    }

    private static HashSet<(string Alert, string Objective)> Alerts(PrometheusServer prometheus) =>
        [.. prometheus.AlertsAsync().GetAwaiter().GetResult().EnumerateArray()
            .Where(a => a.GetProperty("state").GetString() is "pending" or "firing")
            .Select(a => (a.GetProperty("labels").GetProperty("alertname").GetString()!, a.GetProperty("labels").TryGetProperty("objective", out var o) ? o.GetString()! : ""))];

    /// <summary><paramref name="count"/> runs of <paramref name="name"/>, every <paramref name="failEvery"/>th failing (0: none).</summary>
    private static string Tasks(string prefix, string name, int count, int failEvery) => JsonSerializer.Serialize(Enumerable.Range(0, count).SelectMany(i =>
    {
        var id = $"{prefix}-{i}";
        var now = TestClock.UnixSeconds;
        var fails = failEvery > 0 && i % failEvery == 0;
        return new[]
        {
            new Dictionary<string, object> { ["type"] = "task-received", ["uuid"] = id, ["name"] = name, ["hostname"] = "celery@live", ["timestamp"] = now },
            fails
                ? new Dictionary<string, object> { ["type"] = "task-failed", ["uuid"] = id, ["hostname"] = "celery@live", ["timestamp"] = now, ["exception"] = "KeyError('x')" }
                : new Dictionary<string, object> { ["type"] = "task-succeeded", ["uuid"] = id, ["hostname"] = "celery@live", ["timestamp"] = now, ["runtime"] = 0.1 },
        };
    }));

    private static async Task PostAsync(IngestProcess ingest, params string[] bodies)
    {
        foreach (var body in bodies)
        {
            using var response = await ingest.Client.PostAsync("/api/events", Fixtures.Json(Encoding.UTF8.GetBytes(body)));
            response.EnsureSuccessStatusCode();
        }
    }
}
