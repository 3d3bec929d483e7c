using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Tests.Support;
using Xunit.Abstractions;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Issue 28: Ingest's own rules, loaded into a real Prometheus scraping a live Ingest. promtool's unit tests feed the
/// series by hand; here a misspelt series name (an alert that can never fire), a rule that fails to evaluate or an
/// alert that fires on a healthy Ingest would show.
/// </summary>
public class IngestRulesLiveTests(ITestOutputHelper output)
{
    [Fact]
    public async Task IngestRules_AgainstALiveIngest_ReadSeriesThatExistAndOnlyTheCapAlertFires_Issue28()
    {
        using var dir = new TempDirectory();
        await using var ingest = IngestProcess.Start(new Dictionary<string, string>
        {
            // A size cap and a free-disk floor, so that both headroom series exist.
            ["Ingest__Retention__MaxDatabaseBytes"] = "1000000000",
            ["Ingest__Retention__MinFreeDiskBytes"] = "1000000",
        }, "serve", "--db", dir.File("ingest.db"));
        await ingest.WaitReadyAsync();
        await using var prometheus = await PrometheusServer.StartAsync(dir, PrometheusServer.ScrapeConfig($"127.0.0.1:{ingest.Port}", PrometheusRulesTests.RuleFilePaths));
        await prometheus.WaitForAsync("up == 1", r => r.Count == 1, "Prometheus' first scrape of Ingest");

        // Rounds of events (one malformed) and probes, each scraped before the next: rates and quantiles move.
        for (var round = 1; round <= 3; round++)
        {
            await PostAsync(ingest, Tasks(round, 20), "[{\"type\": \"task-started\"}]");
            for (var probe = 0; probe < 3; probe++)
            {
                using var _ = await ingest.Client.GetAsync("/healthz");
            }

            var flushed = round * 20;
            await prometheus.WaitForAsync("ingest_invocations_flushed_total", r => r.Count == 1 && r[0].Value >= flushed, $"round {round} flushed and scraped");
        }

        // One task name past the 1,000 the celery_* series label: counted under name="other", and alerted on.
        await PostAsync(ingest, JsonSerializer.Serialize(Enumerable.Range(0, CeleryMetricsNames + 1).Select(i => new Dictionary<string, object>
        {
            ["type"] = "task-sent", ["uuid"] = $"cap-{i}", ["name"] = $"cap.task{i}", ["hostname"] = "gen1@web", ["timestamp"] = TestClock.UnixSeconds,
        })));

        await prometheus.WaitForRulesEvaluatedAsync();
        foreach (var name in Referenced())
        {
            await prometheus.WaitForAsync($"count({{__name__=\"{name}\"}})", r => r.Count == 1, $"a series named {name}, which the rules read");
        }

        var headroom = await prometheus.WaitForAsync("ingest:storage_headroom_bytes", r => r.Count == 2, "both headroom series");
        Assert.All(headroom, h => Assert.True(h.Value > 0, h.ToString()));
        await Wait.UntilAsync(() => Firing(prometheus).SetEquals(["IngestCelerySeriesCapReached"]), "the cap alert to fire, alone");

        var rules = (await prometheus.RulesAsync()).EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(PrometheusRulesTests.Names("alert").Count + PrometheusRulesTests.Names("record").Count, rules.Count);
        Assert.All(rules, r => Assert.True(r.GetProperty("health").GetString() == "ok", r.ToString()));
        Assert.Equal(["IngestCelerySeriesCapReached"], Firing(prometheus));
        var recorded = await prometheus.QueryAsync("count by (__name__) ({__name__=~\"ingest:.*\"})");
        output.WriteLine($"recording rules: {recorded.Sum(r => r.Value)} series ({string.Join(", ", recorded.Select(r => $"{r.Label("__name__")} {r.Value}"))})");
        output.WriteLine($"pending: {string.Join(", ", Alerts(prometheus, "pending"))}");
    }

    private const int CeleryMetricsNames = Ingest.Tracking.CeleryMetrics.MaxTaskNames;

    /// <summary>Every series name the rule files' expressions read: Ingest's, its recording rules' outputs, and up.</summary>
    private static IReadOnlyList<string> Referenced() =>
        [.. PrometheusRulesTests.RuleFilePaths.SelectMany(Expressions)
            .SelectMany(e => Regex.Matches(e, @"\b(ingest_[a-z0-9_]+|ingest:[a-z0-9_:]+|up)\b").Select(m => m.Groups[1].Value))
            .Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The expr values of a rule file: one line, or a folded block of the lines indented under it.</summary>
    private static IEnumerable<string> Expressions(string file)
    {
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var at = lines[i].IndexOf("expr: ", StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var text = new StringBuilder(lines[i][(at + "expr: ".Length)..]);
            while (i + 1 < lines.Length && lines[i + 1].Length - lines[i + 1].TrimStart().Length > at)
            {
                text.Append(' ').Append(lines[++i].Trim());
            }

            yield return text.ToString();
        }
    }

    private static HashSet<string> Firing(PrometheusServer prometheus) => [.. Alerts(prometheus, "firing").Where(a => a.StartsWith("Ingest", StringComparison.Ordinal))];

    private static IEnumerable<string> Alerts(PrometheusServer prometheus, string state) =>
        prometheus.AlertsAsync().GetAwaiter().GetResult().EnumerateArray()
            .Where(a => a.GetProperty("state").GetString() == state)
            .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString()!);

    private static string Tasks(int round, int count) => JsonSerializer.Serialize(Enumerable.Range(0, count).SelectMany(i =>
    {
        var id = $"live-{round}-{i}";
        var now = TestClock.UnixSeconds;
        return new[]
        {
            new Dictionary<string, object> { ["type"] = "task-received", ["uuid"] = id, ["name"] = "live.task", ["hostname"] = "celery@live", ["timestamp"] = now },
            new Dictionary<string, object> { ["type"] = "task-succeeded", ["uuid"] = id, ["hostname"] = "celery@live", ["timestamp"] = now, ["runtime"] = 0.1 },
        };
    }));

    private static async Task PostAsync(IngestProcess ingest, params string[] bodies)
    {
        foreach (var body in bodies)
        {
            using var _ = await ingest.Client.PostAsync("/api/events", Fixtures.Json(Encoding.UTF8.GetBytes(body)));
        }
    }
}
