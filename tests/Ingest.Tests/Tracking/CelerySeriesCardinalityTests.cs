using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingest.Tests.Support;

namespace Ingest.Tests.Tracking;

/// <summary>
/// Issue 28: the celery_* series' cap is Ingest's (20,000 label sets, overflow counted under name="other"), not
/// OpenTelemetry's default of 2,000 per instrument, past which the SDK folded label sets into an
/// otel_metric_overflow series that no dashboard reads and no Ingest counter counted. Measured before the fix:
/// 2,100 label sets gave 2,000 series of celery_task_received_total and celery_task_received_total{otel_metric_overflow="true"} 100.
/// </summary>
public class CelerySeriesCardinalityTests
{
    [Fact]
    public async Task Metrics_MoreLabelSetsThanTheSdkDefault_EveryOneServedNoneFolded_Issue28()
    {
        const int Names = 100, Hosts = 21;
        using var dir = new TempDirectory();
        await using var ingest = IngestProcess.Start("serve", "--db", dir.File("ingest.db"));
        await ingest.WaitReadyAsync();
        var events = new List<Dictionary<string, object>>();
        for (var n = 0; n < Names; n++)
        {
            for (var h = 0; h < Hosts; h++)
            {
                var id = $"card-{n}-{h}";
                var now = TestClock.UnixSeconds;
                events.Add(new() { ["type"] = "task-received", ["uuid"] = id, ["name"] = $"card.task{n}", ["hostname"] = $"celery@host{h}", ["timestamp"] = now });
                events.Add(new() { ["type"] = "task-succeeded", ["uuid"] = id, ["hostname"] = $"celery@host{h}", ["timestamp"] = now, ["runtime"] = 0.2 });
            }
        }

        foreach (var chunk in events.Chunk(1000))
        {
            using var response = await ingest.Client.PostAsync("/api/events", Fixtures.Json(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(chunk))));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var text = await ingest.Client.GetStringAsync("/metrics");

        Assert.DoesNotContain("otel_metric_overflow", text, StringComparison.Ordinal);
        Assert.Equal(Names * Hosts, Regex.Count(text, @"^celery_task_received_total\{[^}]*\} 1$", RegexOptions.Multiline));
        Assert.Equal(Names * Hosts, Regex.Count(text, @"^celery_task_runtime_count\{[^}]*\} 1$", RegexOptions.Multiline));
        Assert.Contains("ingest_celery_metrics_overflow_total{} 0", text, StringComparison.Ordinal);
        // The view that raises the SDK's limit keeps the instruments' bucket advice.
        Assert.Contains("le=\"7.5\"", text, StringComparison.Ordinal);
    }
}
