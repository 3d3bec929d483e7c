using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Tests.Support;
using Xunit.Abstractions;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Issue 28: the public celery-mixin works against Ingest unchanged, proven with a real Prometheus rather than by
/// reading /metrics. Its three alert expressions and every target of its two dashboards (celery-mixin-queries.json,
/// extracted from the mixin at the commit it names) run against Prometheus scraping a live Ingest fed with
/// <see cref="MixinTraffic"/>: each alert picks exactly what it should, and every panel returns data.
/// </summary>
public class CeleryMixinTests(MixinEnvironment env, ITestOutputHelper output) : IClassFixture<MixinEnvironment>
{
    private static readonly Lazy<JsonElement> s_mixin = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "tests", "Ingest.Tests", "Diagnostics", "celery-mixin-queries.json"))).RootElement.Clone());

    public static TheoryData<string> Dashboards => [.. s_mixin.Value.GetProperty("dashboards").EnumerateArray().Select(d => d.GetProperty("title").GetString()!)];

    [Fact]
    public async Task CeleryTaskHighFailRate_OneTaskFailingHalfItsRuns_PicksExactlyIt_Issue28()
    {
        var picked = await env.Prometheus.QueryAsync(Alert("CeleryTaskHighFailRate"));

        var only = Assert.Single(picked);
        Assert.Equal((MixinTraffic.Flaky, MixinTraffic.WorkQueue, PrometheusServer.DefaultJob), (only.Label("name"), only.Label("queue_name"), only.Label("job")));
        Assert.InRange(only.Value, 25, 75);
    }

    [Fact]
    public async Task CeleryHighQueueLength_QueueWith150Waiting_PicksExactlyIt_Issue28()
    {
        var picked = await env.Prometheus.QueryAsync(Alert("CeleryHighQueueLength"));

        var only = Assert.Single(picked);
        Assert.Equal((env.BacklogQueue, (double)MixinEnvironment.Backlog), (only.Label("queue_name"), only.Value));
    }

    [Fact]
    public async Task CeleryWorkerDown_WorkerThatWentOffline_PicksExactlyIt_Issue28()
    {
        var picked = await env.Prometheus.QueryAsync(Alert("CeleryWorkerDown"));

        Assert.Equal(MixinTraffic.DownHost, Assert.Single(picked).Label("hostname"));
    }

    /// <summary>Every target of every panel, with the dashboard's variables resolved as Grafana resolves them.</summary>
    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task Dashboard_EveryPanelTarget_ReturnsData_Issue28(string title)
    {
        var dashboard = s_mixin.Value.GetProperty("dashboards").EnumerateArray().Single(d => d.GetProperty("title").GetString() == title);
        var end = await env.Prometheus.NowAsync();
        var start = env.TrafficStart.AddSeconds(-5);
        var variables = await VariablesAsync(dashboard, start, end);
        var empty = new List<string>();
        var panels = dashboard.GetProperty("panels").EnumerateArray().ToList();
        foreach (var panel in panels)
        {
            var expr = Substitute(panel.GetProperty("expr").GetString()!, variables);
            var finite = panel.GetProperty("instant").GetBoolean()
                ? (await env.Prometheus.QueryAsync(expr, end)).Any(s => double.IsFinite(s.Value))
                : (await env.Prometheus.QueryRangeAsync(expr, start, end, TimeSpan.FromSeconds(1))).Any(s => s.Points.Any(p => double.IsFinite(p.Value)));
            if (!finite)
            {
                empty.Add($"{panel.GetProperty("title").GetString()} (panel {panel.GetProperty("id").GetInt32()}, target {panel.GetProperty("target").GetInt32()}): {expr}");
            }
        }

        output.WriteLine($"{title}: {panels.Count} targets, variables {string.Join(", ", variables.Select(v => $"{v.Key}={v.Value}"))}");
        Assert.True(panels.Count > 30, $"{title} has {panels.Count} targets");
        Assert.True(empty.Count == 0, $"{empty.Count} of {panels.Count} targets of {title} returned no data:\n{string.Join("\n", empty)}");
    }

    /// <summary>
    /// As celery-exporter does, a label set shows its failed counter at zero (exception="") until it fails: a task
    /// that never failed has a success ratio in "Task Stats [1w]", rather than no row at all.
    /// </summary>
    [Fact]
    public async Task TaskStats_TaskThatNeverFailed_HasASuccessRatio_Issue28()
    {
        var dashboard = s_mixin.Value.GetProperty("dashboards").EnumerateArray().Single(d => d.GetProperty("uid").GetString() == "celery-tasks-by-task-32s3");
        var stats = dashboard.GetProperty("panels").EnumerateArray().First(p => p.GetProperty("title").GetString() == "Task Stats [1w]");
        var end = await env.Prometheus.NowAsync();

        var rows = await env.Prometheus.QueryAsync(Substitute(stats.GetProperty("expr").GetString()!, await VariablesAsync(dashboard, env.TrafficStart, end)), end);

        Assert.Equal([MixinTraffic.Flaky, MixinTraffic.Ok, MixinTraffic.Rare], rows.Select(r => r.Label("name")).Order(StringComparer.Ordinal));
        Assert.Equal(1, rows.Single(r => r.Label("name") == MixinTraffic.Ok).Value);
    }

    /// <summary>celery-exporter's broker series, as RabbitMQ tells them: waiting messages, consumers, and workers (one consumer each).</summary>
    [Fact]
    public async Task BrokerSeries_RabbitMq_QueueLengthConsumersAndWorkers_Issue28()
    {
        var busy = $"{{queue_name=\"{env.BusyQueue}\"}}";

        Assert.Equal(MixinEnvironment.Backlog, Assert.Single(await env.Prometheus.QueryAsync($"celery_queue_length{{queue_name=\"{env.BacklogQueue}\"}}")).Value);
        Assert.Equal(0, Assert.Single(await env.Prometheus.QueryAsync($"celery_active_consumer_count{{queue_name=\"{env.BacklogQueue}\"}}")).Value);
        Assert.Equal(1, Assert.Single(await env.Prometheus.QueryAsync("celery_active_consumer_count" + busy)).Value);
        Assert.Equal(1, Assert.Single(await env.Prometheus.WaitForAsync("celery_active_worker_count" + busy, r => r.Count > 0, "the busy queue's workers")).Value);
        Assert.Equal(0, Assert.Single(await env.Prometheus.QueryAsync($"celery_active_worker_count{{queue_name=\"{env.BacklogQueue}\"}}")).Value);
    }

    /// <summary>
    /// What each part of Ingest's scrape costs in series, measured by Prometheus after the traffic: celery_task_*
    /// per label set (name, hostname, queue), celery_worker_* per host, the broker's per queue, Ingest's own fixed.
    /// </summary>
    [Fact]
    public async Task Series_ByComponent_StayWithinTheirBounds_Issue28()
    {
        async Task<double> CountAsync(string selector) => (await env.Prometheus.QueryAsync($"count({selector})")).SingleOrDefault()?.Value ?? 0;
        var labelSets = await CountAsync("celery_task_received_total");
        var failureSets = await CountAsync("celery_task_failed_total{exception!=\"\"}");
        var task = await CountAsync("{__name__=~\"celery_task_.*\"}");
        var hosts = await CountAsync("celery_worker_up");
        var worker = await CountAsync("{__name__=~\"celery_worker_.*\"}");
        var queues = await CountAsync("celery_queue_length");
        var broker = await CountAsync("{__name__=~\"celery_(queue_length|active_consumer_count|active_worker_count)\"}");
        var own = await CountAsync("{__name__=~\"ingest_.*\"}");
        var scraped = Assert.Single(await env.Prometheus.QueryAsync("scrape_samples_scraped")).Value;
        output.WriteLine($"celery_task_*: {task} series for {labelSets} label sets (+{failureSets} with an exception): {task / labelSets:F1} each");
        var byName = await env.Prometheus.QueryAsync("count by (__name__) ({__name__=~\"celery_task_.*\"})");
        output.WriteLine(string.Join(", ", byName.OrderBy(b => b.Label("__name__"), StringComparer.Ordinal).Select(b => $"{b.Label("__name__")} {b.Value}")));
        output.WriteLine($"celery_worker_*: {worker} series for {hosts} hosts; broker: {broker} series for {queues} queues; ingest_*: {own}; scraped in all: {scraped}");

        // Per label set at most 7 counters (sent only where sent, failed with exception="" too) and two 15-bucket
        // histograms (+ sum and count); scraped as OpenMetrics, each counter and histogram adds a _created series.
        Assert.InRange(task, labelSets, (labelSets * ((7 * 2) + (2 * 18))) + (2 * failureSets));
        Assert.Equal(2 * hosts, worker);
        Assert.InRange(broker, queues, 3 * queues);
        // Ingest's own series are fixed by its instruments, not by traffic: 158 before issue 27's control and audit
        // instruments and issue 29's detail sampling, 201 after (a bound, so a new per-item series shows here).
        Assert.InRange(own, 100, 250);
        Assert.Equal(scraped, task + worker + broker + own);
    }

    private static string Alert(string name) =>
        s_mixin.Value.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("alert").GetString() == name).GetProperty("expr").GetString()!;

    /// <summary>
    /// Grafana's variables for a panel range [start, end] at a 1 s step: $__rate_interval is Grafana's floor of four
    /// scrape intervals (4 s), $__range the range; each query variable is label_values over the series API, a
    /// multi-value one (or All) becoming the regex alternation of every value, a single one its value ("" if none).
    /// </summary>
    private async Task<Dictionary<string, string>> VariablesAsync(JsonElement dashboard, DateTimeOffset start, DateTimeOffset end)
    {
        var values = new Dictionary<string, string>
        {
            ["__rate_interval"] = "4s",
            ["__range"] = $"{(int)Math.Ceiling((end - start).TotalSeconds)}s",
        };
        foreach (var v in dashboard.GetProperty("variables").EnumerateArray())
        {
            var name = v.GetProperty("name").GetString()!;
            var query = Regex.Match(Substitute(v.GetProperty("query").GetString()!, values), @"^label_values\((.*),\s*(\w+)\)$", RegexOptions.Singleline);
            Assert.True(query.Success, $"variable {name}: {v.GetProperty("query")}");
            var label = query.Groups[2].Value;
            var found = (await env.Prometheus.SeriesAsync(query.Groups[1].Value)).Select(l => l.GetValueOrDefault(label, "")).Where(l => l.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
            values[name] = v.GetProperty("multi").GetBoolean() ? "(" + string.Join("|", found.Select(PromRegex)) + ")" : found.FirstOrDefault() ?? "";
        }

        Assert.Equal(PrometheusServer.DefaultJob, values["job"]);
        return values;
    }

    /// <summary>A value as a regex inside a PromQL string, as Grafana escapes it: <c>mixin.ok</c> gives <c>mixin\\.ok</c>.</summary>
    private static string PromRegex(string value) => Regex.Escape(value).Replace("\\", "\\\\", StringComparison.Ordinal);

    private static string Substitute(string expr, Dictionary<string, string> values)
    {
        foreach (var (name, value) in values.OrderByDescending(v => v.Key.Length))
        {
            expr = expr.Replace("${" + name + "}", value, StringComparison.Ordinal).Replace("$" + name, value, StringComparison.Ordinal);
        }

        return expr;
    }
}
