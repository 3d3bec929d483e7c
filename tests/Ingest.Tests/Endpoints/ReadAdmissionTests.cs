using Ingest.Web;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Storage.Reading;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// Issue 24: heavy reads pass a gate (a few at once, a short queue, a queue timeout), and a read past its time
/// limit is interrupted; either way the answer is 503 with Retry-After and a reason, counted, and /healthz is untouched.
/// </summary>
[Collection(nameof(MetricsTests))]
public sealed class ReadAdmissionTests
{
    private static ReadAdmissionOptions Options(int concurrency, int queue) => new() { Concurrency = concurrency, QueueLength = queue, QueueTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Enter_PastTheSlotsAndTheQueue_RefusedAtOnce_AndAQueuedReadTimesOut_Issue24()
    {
        var time = new FakeTimeProvider();
        using var gate = new ReadAdmission(Options(1, 1), time);

        var (held, _) = await gate.EnterAsync(CancellationToken.None);
        var queued = gate.EnterAsync(CancellationToken.None);
        var (refused, reason) = await gate.EnterAsync(CancellationToken.None);
        Assert.False(queued.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        var (timedOut, timeoutReason) = await Wait.ForAsync(queued, "the queued read to time out");

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.Equal(ReadAdmission.QueueFull, reason);
        Assert.Null(timedOut);
        Assert.Equal(ReadAdmission.QueueTimeout, timeoutReason);
        Assert.Equal((1, 1, 0), (gate.Refused(ReadAdmission.QueueFull), gate.Refused(ReadAdmission.QueueTimeout), gate.Refused(ReadAdmission.TimeLimit)));
        // A slot let go goes to the read waiting for it.
        var next = gate.EnterAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);
        held!.Dispose();
        var (granted, _) = await Wait.ForAsync(next, "the waiting read to get the slot");
        Assert.NotNull(granted);
        granted!.Dispose();
    }

    [Fact]
    public async Task HeavyReads_WhileTheGateIsFull_503WithRetryAfterAndReason_ProbesAndLightReadsAnswer_Issue24()
    {
        await using var factory = new IngestFactory().With("Ingest:Reads:Concurrency", "1").With("Ingest:Reads:QueueLength", "0");
        using var client = factory.CreateClient();
        var gate = factory.Services.GetRequiredService<ReadAdmission>();
        var (held, _) = await gate.EnterAsync(CancellationToken.None);
        string[] heavy = ["/api/tasks", "/api/tasks/x/stats", "/api/facets", "/api/failures", "/api/invocations", "/api/queues"];

        foreach (var path in heavy)
        {
            using var refused = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(ReadAdmission.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
            var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
            Assert.StartsWith("too many reads at once (1 running, 0 waiting)", error, StringComparison.Ordinal);
        }

        foreach (var (path, status) in new[] { ("/healthz", HttpStatusCode.OK), ("/api/ingest", HttpStatusCode.OK), ("/api/workers", HttpStatusCode.OK), ("/api/invocations/nope", HttpStatusCode.NotFound) })
        {
            using var light = await client.GetAsync(path);
            Assert.Equal(status, light.StatusCode);
        }

        held!.Dispose();
        using var admitted = await client.GetAsync("/api/tasks");
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(heavy.Length, gate.Refused(ReadAdmission.QueueFull));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains($"ingest_reads_rejected_total{{reason=\"queue_full\"}} {heavy.Length}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_PastItsTimeLimit_503NarrowTheRange_Counted_Issue24()
    {
        using var dir = new TempDirectory();
        var now = Fixtures.CaptureEnd.ToUnixTimeMilliseconds() / 1000.0;
        GeneratedRuns.Write(dir.File("ingest.db"), Enumerable.Range(0, 5000).Select(i => GeneratedRuns.Run(i, $"task.{i % 500}", now - 600 + (i * 0.1), i % 3 == 0)), Fixtures.Clock());
        // A clock a second further on at every look: any statement that reaches a progress check is past 200 ms.
        var limit = new ReadTimeLimit(new ReadOptions { StatementTimeLimit = TimeSpan.FromMilliseconds(200) }, new SteppingClock(TimeSpan.FromSeconds(1)));
        await using var factory = new IngestFactory(dir.File("ingest.db")) { TestServices = s => s.AddSingleton(limit) };
        using var client = factory.CreateClient();

        using var tasks = await client.GetAsync("/api/tasks");
        using var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, tasks.StatusCode);
        Assert.NotNull(tasks.Headers.RetryAfter);
        Assert.Equal("the query ran past its time limit (0.2 s); narrow the range", (await tasks.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(1, limit.Interrupted);
        Assert.Equal(1, factory.Services.GetRequiredService<ReadAdmission>().Refused(ReadAdmission.TimeLimit));
    }

    /// <summary>Every look at the clock finds it <c>step</c> later: time passes only as fast as it is read.</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, (long)(step.TotalSeconds * TimestampFrequency));
    }
}
