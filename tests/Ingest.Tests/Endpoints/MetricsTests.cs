using System.Net.Http.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Alone: the Prometheus exporter listens to every meter named "Ingest" in the process, so a host started by a
/// test running beside this one would add its counts to these.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsRunAlone;

[Collection(nameof(MetricsTests))]
public class MetricsTests
{
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

        const string Scope = "otel_scope_name=\"Ingest\"";
        Assert.Contains($"ingest_events_total{{{Scope},outcome=\"accepted\",type=\"task-succeeded\"}} 33", text, StringComparison.Ordinal);
        Assert.Contains($"ingest_events_total{{{Scope},error_type=\"missing_uuid\",outcome=\"rejected\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"ingest_invocations_dropped_total{{{Scope},reason=\"queue_full\"}} 0", text, StringComparison.Ordinal);
        // The clock is the capture's: its day is today, and tomorrow's exists too.
        Assert.Equal(2, (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/ingest")).GetProperty("storage").GetProperty("partitions").GetInt32());
        Assert.Contains($"ingest_storage_partitions{{{Scope}}} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ingest_storage_size_bytes gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ingest_channel_depth gauge", text, StringComparison.Ordinal);
        Assert.Contains($"ingest_broker_connected{{{Scope}}} -1", text, StringComparison.Ordinal);
        Assert.Contains($"ingest_probe_duration_seconds_bucket{{{Scope},le=\"0.001\"}}", text, StringComparison.Ordinal);
    }
}
