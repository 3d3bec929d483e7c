using System.Diagnostics;
using System.Net;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Issue 24: one reader took the process to 10 GB. A day with 100,000 distinct task names (the writer keeps 10,000 of
/// them and counts the rest under "(other)", so /api/tasks had 10,001 entries, 59 MB), read by eight clients at once,
/// against the 512 Mi a pod gets.
/// </summary>
[Collection(nameof(Incidents.MemoryBoundTests))]
public sealed class WideReadMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>The pod's limit: an OOM kill above it.</summary>
    private const long PodLimit = 512L * 1024 * 1024;

    /// <summary>A process past this is stopped at once (the unbounded read path went to 10 GB on an 8-core host).</summary>
    private const long RunawayRss = 3L * 1024 * 1024 * 1024;

    /// <summary>The largest body any read may answer: the byte cap of a page plus the one item that crossed it.</summary>
    private const long MaxBody = 8L * 1024 * 1024;

    private const int Names = 100_000;

    private static readonly string[] s_wideReads =
    [
        "/api/tasks?since=-24h&limit=1000",
        "/api/facets?since=-24h",
        "/api/failures?since=-24h",
        "/api/invocations?since=-24h&limit=1000",
    ];

    [Fact]
    public async Task Serve_ParallelWideReadsOfAHighCardinalityDay_StayInsideThePod_Issue24()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        WriteDay(db);
        await using var ingest = IngestProcess.Start("serve", "--db", db);
        await ingest.WaitReadyAsync();
        using var client = new HttpClient { BaseAddress = ingest.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };

        var peak = ingest.RssBytes();
        var runaway = false;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !ingest.HasExited)
            {
                peak = Math.Max(peak, ingest.RssBytes());
                if (peak > RunawayRss && !runaway)
                {
                    // Protects the machine the suite runs on: the assertion below fails either way.
                    runaway = true;
                    await ingest.KillAsync();
                    return;
                }

                await Task.Delay(10);
            }
        });

        var one = await ReadAsync(client, "/api/tasks");
        output.WriteLine($"one GET /api/tasks: {one.Status}, {one.Bytes:N0} bytes, {one.Seconds:F2} s; RSS {ingest.RssBytes() / 1048576} MiB");
        var results = new List<Read>();
        string[][] rounds = [[.. Enumerable.Repeat("/api/tasks", 8)], .. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 8).Select(i => s_wideReads[i % s_wideReads.Length]).ToArray())];
        foreach (var round in rounds)
        {
            if (runaway)
            {
                break;
            }

            var started = Stopwatch.GetTimestamp();
            var reads = await Task.WhenAll(round.Select(path => ReadAsync(client, path)));
            results.AddRange(reads);
            output.WriteLine($"8 in parallel ({string.Join(", ", round.Distinct())}): {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; "
                + string.Join("; ", reads.Select(r => $"{r.Path} {r.Status} {r.Bytes:N0} B {r.Seconds:F1} s")) + $"; peak RSS so far {peak / 1048576} MiB");
        }

        await stop.CancelAsync();
        await sampler;
        output.WriteLine($"peak RSS {peak / 1048576} MiB");

        Assert.False(runaway, $"RSS passed {RunawayRss / 1048576} MiB and the process was stopped");
        Assert.True(peak < PodLimit, $"RSS reached {peak / 1048576} MiB; {ingest.Output}");
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable, $"{r.Path}: {(int)r.Status}"));
        Assert.All(results, r => Assert.True(r.Bytes <= MaxBody, $"{r.Path}: {r.Bytes:N0} bytes"));
        Assert.Contains(results, r => r.Status == HttpStatusCode.OK && r.Path.StartsWith("/api/tasks", StringComparison.Ordinal));
    }

    private sealed record Read(string Path, HttpStatusCode Status, long Bytes, double Seconds);

    private static async Task<Read> ReadAsync(HttpClient client, string path)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[81920];
            long bytes = 0;
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                bytes += n;
            }

            return new Read(path, response.StatusCode, bytes, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (HttpRequestException)
        {
            // The process was stopped for running away: reported by the assertion on it.
            return new Read(path, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// Today (by the child's clock) with 100,000 task names, one run each, spread over the hours so far; a quarter fail
    /// with one of three exceptions; four queues, eight workers. Written through the storage writer, so the name cap
    /// applies as on the ingest side.
    /// </summary>
    private static void WriteDay(string path)
    {
        var now = TestClock.UnixSeconds;
        var dayStart = Math.Floor(now / 86400) * 86400;
        var from = Math.Max(dayStart + 60, now - (20 * 3600));
        var step = (now - 120 - from) / Names;
        GeneratedRuns.Write(path, Enumerable.Range(0, Names).Select(i => GeneratedRuns.Run(i, $"shop.tasks.generated_{i:D6}", from + (i * step), i % 4 == 0)), TestClock.Moving);
    }
}
