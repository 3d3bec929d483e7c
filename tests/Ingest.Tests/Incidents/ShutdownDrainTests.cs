using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingest.Storage;
using Ingest.Storage.Reading;
using Ingest.Tests.Support;

namespace Ingest.Tests.Incidents;

/// <summary>
/// SIGTERM drains whatever is connected (issue 12): with one browser tab on /api/stream, Kestrel waited the host's
/// whole 30 s for the stream, the flush loop's stop then returned at once, and unwritten tasks were lost uncounted.
/// </summary>
public class ShutdownDrainTests
{
    [Fact]
    public async Task Sigterm_WithStreamClientsConnected_WritesEveryTaskAndExitsWithinTheBudget_Issue12()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        await using var ingest = IngestProcess.Start("serve", "--db", db);
        await ingest.WaitReadyAsync();

        // Three live-page tabs.
        var streams = new List<(HttpClient Client, Stream Body)>();
        for (var i = 0; i < 3; i++)
        {
            var client = new HttpClient { BaseAddress = ingest.Client.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var response = await client.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            streams.Add((client, await response.Content.ReadAsStreamAsync()));
        }

        // 300 tasks still running (only in the tracker) and 300 finished ones, some perhaps still queued.
        var now = TestClock.UnixSeconds;
        var events = new StringBuilder("[");
        for (var i = 0; i < 600; i++)
        {
            var ts = (now + (i * 0.001)).ToString("R", CultureInfo.InvariantCulture);
            events.Append(i == 0 ? "" : ", ").Append($$"""{"type": "task-received", "uuid": "t{{i}}", "name": "shop.tasks.work", "args": "({{i}},)", "hostname": "w1@h", "timestamp": {{ts}}}""");
            if (i % 2 == 1)
            {
                events.Append($$""", {"type": "task-succeeded", "uuid": "t{{i}}", "result": "None", "runtime": 0.1, "hostname": "w1@h", "timestamp": {{ts}}}""");
            }
        }

        using (var content = new StringContent(events.Append(']').ToString(), Encoding.UTF8, "application/json"))
        using (var posted = await ingest.Client.PostAsync("/api/events", content))
        {
            posted.EnsureSuccessStatusCode();
        }

        var clock = Stopwatch.StartNew();
        var exit = await ingest.TerminateAsync(TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;

        Assert.Equal(0, exit);
        Assert.True(took < TimeSpan.FromSeconds(10), $"shutdown took {took.TotalSeconds:F1} s; {ingest.Output}");
        var reader = new InvocationReader(new StorageOptions { DatabasePath = db });
        var stored = reader.List(new InvocationQuery { Limit = 1000 }).Items;
        Assert.Equal(600, stored.Count);
        Assert.All(stored, r => Assert.Equal("shop.tasks.work", r.Name));
        Assert.Equal(300, stored.Count(r => r.State == TaskStates.Success));
        foreach (var (client, body) in streams)
        {
            await body.DisposeAsync();
            client.Dispose();
        }
    }
}
