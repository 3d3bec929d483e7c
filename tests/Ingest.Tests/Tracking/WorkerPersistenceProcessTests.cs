using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Tracking;

/// <summary>
/// Issue 25: after <c>ingest replay --shift-to-now</c> of the capture, <c>serve</c> on the same file showed an empty
/// Workers page although the capture holds 31 worker heartbeats; a restart forgot every worker too.
/// </summary>
public class WorkerPersistenceProcessTests
{
    [Fact]
    public async Task Serve_AfterReplayOfTheCapture_ListsItsWorkersWithTheirLastHeartbeats_AndARestartKeepsThem_Issue25()
    {
        using var dir = new TempDirectory();
        var db = dir.File("x.db");
        // The capture ends at the clock's start: its times land where the serve's clock is.
        var clock = Fixtures.CaptureEnd;
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db, "--shift-to-now", "--clock-start", clock.ToString("O")]));

        var lastCaptured = File.ReadLines(Fixtures.CapturePath).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("captured_at").GetDouble()).Last();
        var shift = (clock.ToUnixTimeMilliseconds() / 1000.0) - lastCaptured;
        var expected = Fixtures.AllEvents()
            .Where(e => e.GetProperty("type").GetString()!.StartsWith("worker-", StringComparison.Ordinal))
            .GroupBy(e => e.GetProperty("hostname").GetString()!)
            .ToDictionary(g => g.Key, g => g.Max(e => e.GetProperty("timestamp").GetDouble()) + shift);
        Assert.NotEmpty(expected);

        await using (var first = IngestProcess.Start("serve", "--db", db, "--clock-start", clock.AddSeconds(5).ToString("O")))
        {
            await first.WaitReadyAsync();
            var workers = await WorkersAsync(first);
            AssertHeartbeats(expected, workers);
            Assert.Contains(workers, w => w.GetProperty("status").GetString() is "online" or "offline");
        }

        // Restarted ten minutes on: the same workers, the same heartbeats, none of them online any more.
        await using var second = IngestProcess.Start("serve", "--db", db, "--clock-start", clock.AddMinutes(10).ToString("O"));
        await second.WaitReadyAsync();
        var later = await WorkersAsync(second);
        AssertHeartbeats(expected, later);
        Assert.All(later, w => Assert.Contains(w.GetProperty("status").GetString(), new[] { "lost", "offline" }));
    }

    private static async Task<List<JsonElement>> WorkersAsync(IngestProcess ingest)
    {
        var page = await ingest.Client.GetFromJsonAsync<JsonElement>("/api/workers?limit=500");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private static void AssertHeartbeats(Dictionary<string, double> expected, List<JsonElement> workers)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), workers.Select(w => w.GetProperty("hostname").GetString()!));
        // The replay's clock moves from its start: the shift it takes is the expected one plus the moments before it.
        foreach (var w in workers)
        {
            var at = DateTimeOffset.Parse(w.GetProperty("last_heartbeat_at").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0;
            Assert.InRange(at, expected[w.GetProperty("hostname").GetString()!] - 0.01, expected[w.GetProperty("hostname").GetString()!] + 30);
        }
    }
}
