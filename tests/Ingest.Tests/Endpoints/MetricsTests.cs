using System.Net.Http.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Alone: the read-admission tests fill a read gate with heavy queries and count on the machine's cores for the
/// timings. (Each host's meters are its own since <see cref="HostMeters"/>; that was the first reason.)
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsRunAlone;

[Collection(nameof(MetricsTests))]
public class MetricsTests
{
    [Fact]
    public async Task Metrics_RepairedFields_ExportedByKind_Issue24()
    {
        // The README promised repairs in /metrics; only /healthz and /api/ingest had them.
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var at = Fixtures.CaptureEnd.ToUnixTimeSeconds();
        using var posted = await client.PostAsync("/api/events", new StringContent(
            $$"""[{"type": "task-received", "uuid": "t\u0000-1", "name": "shop.add", "hostname": "w1", "timestamp": {{at}}}]""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.True(posted.StatusCode == System.Net.HttpStatusCode.Accepted, await posted.Content.ReadAsStringAsync());

        var text = await client.GetStringAsync("/metrics");

        Assert.Contains("ingest_events_repaired_total{kind=\"control_characters\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("ingest_events_repaired_total{kind=\"redacted\"} 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterIngest_ExportsPrometheusNamesWithUnitsAndOutcomes()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var m in Fixtures.Messages)
        {
            using var _ = await client.PostAsync("/api/events", Fixtures.Json(m.Body));
        }

        using var bad = await client.PostAsync("/api/events", new StringContent("""[{"type": "task-started"}]""", System.Text.Encoding.UTF8, "application/json"));
        using var probe = await client.GetAsync("/healthz");
        await Wait.UntilAsync(() => client.GetStringAsync("/metrics").GetAwaiter().GetResult().Contains("ingest_flush_duration_seconds_count", StringComparison.Ordinal), "a flush to be measured");

        var text = await client.GetStringAsync("/metrics");

        // No otel_scope_* labels on any series, no target_info: exact label sets, as dashboards match them.
        Assert.DoesNotContain("otel_scope", text, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", text, StringComparison.Ordinal);
        Assert.Contains("ingest_events_total{outcome=\"accepted\",type=\"task-succeeded\"} 33", text, StringComparison.Ordinal);
        Assert.Contains("ingest_events_total{error_type=\"missing_uuid\",outcome=\"rejected\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("ingest_invocations_dropped_total{reason=\"queue_full\"} 0", text, StringComparison.Ordinal);
        // The clock is the capture's: its day is today, and tomorrow's exists too.
        Assert.Equal(2, (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/ingest")).GetProperty("storage").GetProperty("partitions").GetInt32());
        Assert.Contains("ingest_storage_partitions{} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ingest_storage_size_bytes gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ingest_channel_depth gauge", text, StringComparison.Ordinal);
        Assert.Contains("ingest_broker_connected{} -1", text, StringComparison.Ordinal);
        Assert.Contains("ingest_probe_duration_seconds_bucket{le=\"0.001\"}", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 16: celery-exporter's series, by its names and labels, so the celery-mixin dashboards and alerts work
    /// against Ingest unchanged. Every counter is checked against the capture: per event type, task name, host
    /// and queue, as celery-exporter labels them (a task's later events carry the name and queue its earlier ones told).
    /// </summary>
    [Fact]
    public async Task Metrics_AfterTheCapture_CeleryExporterSeriesMatchTheEvents()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var m in Fixtures.Messages)
        {
            using var _ = await client.PostAsync("/api/events", Fixtures.Json(m.Body));
        }

        var expected = ExpectedCeleryCounts(Fixtures.AllEvents());
        var text = await client.GetStringAsync("/metrics");
        var actual = new Dictionary<string, long>();
        foreach (System.Text.RegularExpressions.Match line in System.Text.RegularExpressions.Regex.Matches(text, @"^(celery_task_[a-z]+_total)\{([^}]*)\} (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline))
        {
            var labels = System.Text.RegularExpressions.Regex.Matches(line.Groups[2].Value, "([a-z_]+)=\"([^\"]*)\"").ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            Assert.Equal(line.Groups[1].Value == "celery_task_failed_total" ? ["exception", "hostname", "name", "queue_name"] : ["hostname", "name", "queue_name"], labels.Keys.Order());
            var value = long.Parse(line.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (value > 0)
            {
                actual[$"{line.Groups[1].Value} {labels["name"]} {labels["hostname"]} {labels["queue_name"]}"] = value;
            }
        }

        Assert.True(expected.Count >= 8, string.Join("\n", expected.Keys));
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        var succeeded = expected.Where(kv => kv.Key.StartsWith("celery_task_succeeded_total", StringComparison.Ordinal)).Sum(kv => kv.Value);
        Assert.Matches($@"(?m)^celery_task_runtime_count\{{[^}}]*name=""[^""]+""[^}}]*\}} \d+", text);
        Assert.Equal(succeeded, System.Text.RegularExpressions.Regex.Matches(text, @"(?m)^celery_task_runtime_count\{[^}]*\} (\d+)").Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("celery_worker_up{hostname=\"ingest-capture\"} 0", text, StringComparison.Ordinal); // the capture ends with worker-offline
        Assert.Contains("# TYPE celery_task_queue_wait_time histogram", text, StringComparison.Ordinal);
    }

    /// <summary>What celery-exporter would count for these events: by type, the task's name and queue as known so far, and the host part of the event's node name.</summary>
    private static Dictionary<string, long> ExpectedCeleryCounts(IEnumerable<System.Text.Json.JsonElement> events)
    {
        var names = new Dictionary<string, string>();
        var queues = new Dictionary<string, string>();
        var counts = new Dictionary<string, long>();
        foreach (var e in events.OrderBy(e => e.GetProperty("timestamp").GetDouble()))
        {
            var type = e.GetProperty("type").GetString()!;
            if (!type.StartsWith("task-", StringComparison.Ordinal))
            {
                continue;
            }

            var id = e.GetProperty("uuid").GetString()!;
            if (e.TryGetProperty("name", out var n) && n.GetString() is { } name)
            {
                names[id] = name;
            }

            if (e.TryGetProperty("queue", out var q) && q.GetString() is { } queue)
            {
                queues[id] = queue;
            }
            else if (e.TryGetProperty("routing_key", out var rk) && rk.GetString() is { } key && !queues.ContainsKey(id))
            {
                queues[id] = key;
            }

            var host = e.GetProperty("hostname").GetString()!;
            host = host.Contains('@', StringComparison.Ordinal) ? host[(host.IndexOf('@', StringComparison.Ordinal) + 1)..] : host;
            var k = $"celery_{type.Replace('-', '_')}_total {names.GetValueOrDefault(id, "")} {host} {queues.GetValueOrDefault(id, "celery")}";
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }

        return counts;
    }
}
