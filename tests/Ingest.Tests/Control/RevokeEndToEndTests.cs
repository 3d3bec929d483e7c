using System.Net;
using System.Text.Json;
using Ingest.Testing;
using Ingest.Tests.Support;

namespace Ingest.Tests.Control;

/// <summary>
/// Issue 27 end to end: a real worker on the suite's RabbitMQ, publishing its events with -E; a real <c>serve</c>
/// consuming them and holding the control; a revoke with terminate through Flower's route; the run REVOKED in
/// Ingest's own API within seconds. The worker stamps its events with the machine's clock (faked with it under
/// faketime), so Ingest's clock starts from the same reading, as <c>--clock-start</c> would be set from the data.
/// </summary>
public class RevokeEndToEndTests
{
    [Fact]
    public async Task Revoke_TerminateThroughFlowerRoute_RunningTaskIsRevokedInIngestWithinSeconds_Issue27()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var ns = "ingest-e2e-" + suffix;
        var url = Broker.Shared().Url;
        using var dir = new TempDirectory();
        await using var worker = await CeleryWorker.StartAsync(url, "e2e-" + suffix, ns, "e2e." + suffix, concurrency: 1);
        var clock = new Dictionary<string, string> { ["Ingest__ClockStart"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        await using var ingest = IngestProcess.Start(clock, "serve", "--db", dir.File("ingest.db"), "--amqp", url, "--amqp-queue", "ingest-e2e-" + suffix, "--Ingest:Control:Namespace=" + ns);
        await ingest.WaitReadyAsync();
        await Wait.UntilAsync(() => Json(ingest, "/api/ingest").GetProperty("sources").GetProperty("amqp").GetProperty("state").GetString() == "connected", "Ingest to consume the broker's events", TimeSpan.FromSeconds(60));

        var id = await worker.SendTaskAsync("celery_app.sleep", "[120]");
        await Wait.UntilAsync(() => State(ingest, id) == "STARTED", "the 120 s task to show STARTED in Ingest", TimeSpan.FromSeconds(60));

        using var revoke = await ingest.Client.PostAsync($"/flower/api/task/revoke/{id}?terminate=true&signal=SIGTERM", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await Wait.UntilAsync(() => State(ingest, id) == "REVOKED", "the task to be REVOKED in Ingest", TimeSpan.FromSeconds(15));

        // The audit record goes to the store through the flush loop, as the run's events do: it is there within a
        // flush or two, not necessarily by the time the worker's revoked event is (seen in CI).
        await Wait.UntilAsync(() => Json(ingest, "/api/audit?since=-1h").GetRawText().Contains(id, StringComparison.Ordinal), "the revoke in the audit", TimeSpan.FromSeconds(15));
    }

    private static string? State(IngestProcess ingest, string id)
    {
        using var response = ingest.Client.GetAsync($"/api/invocations/{id}").GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("state").GetString()
            : null;
    }

    private static JsonElement Json(IngestProcess ingest, string path) =>
        JsonDocument.Parse(ingest.Client.GetStringAsync(path).GetAwaiter().GetResult()).RootElement;
}
