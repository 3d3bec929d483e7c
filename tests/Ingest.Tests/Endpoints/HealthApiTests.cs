using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Endpoints;

public class HealthApiTests
{
    [Fact]
    public async Task Healthz_Idle_IsOkOnEveryProbe()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
    }

    [Fact]
    public async Task Healthz_NoSourceConfigured_SaysIdleWithTheReason_ProbesStay200_Issue25()
    {
        // No broker URL and no HTTP ingest: nothing can ever arrive, and "ok" would read as "no tasks ran".
        await using var factory = new IngestFactory().With("Ingest:Auth:HttpIngest", "false");
        using var client = factory.CreateClient();

        using var healthz = await client.GetAsync("/healthz");
        var health = await healthz.Content.ReadFromJsonAsync<JsonElement>();
        using var live = await client.GetAsync("/healthz/live");
        using var ready = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("idle", health.GetProperty("status").GetString());
        Assert.Equal(["no source is configured: give --broker URL or --http-ingest"], health.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("idle", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Probes_AreTimedInIngest_AndReportedAsADistribution()
    {
        // Probe times are measured: this host needs a clock that moves.
        await using var factory = new IngestFactory().MovingClock();
        using var client = factory.CreateClient();
        foreach (var path in new[] { "/healthz", "/healthz/live", "/healthz/ready", "/healthz" })
        {
            using var _ = await client.GetAsync(path);
        }

        // Timed when the handler returns, which may be just after the client has its answer.
        JsonElement Probes() => client.GetFromJsonAsync<JsonElement>("/api/ingest").GetAwaiter().GetResult().GetProperty("probes");
        await Wait.UntilAsync(() => Probes().GetProperty("answered").GetInt64() == 4, "four probes to be counted");

        // /api/ingest itself is not a probe; the two reads above did not count.
        var probes = Probes();
        var counts = probes.GetProperty("bucket_counts").EnumerateArray().Select(c => c.GetInt64()).ToArray();
        Assert.Equal(4, probes.GetProperty("answered").GetInt64());
        Assert.Equal(4, counts.Sum());
        Assert.Equal(probes.GetProperty("bucket_bounds_ms").GetArrayLength() + 1, counts.Length);
        Assert.True(probes.GetProperty("max_ms").GetDouble() > 0);
        Assert.True(probes.GetProperty("p99_ms_at_most").GetDouble() >= probes.GetProperty("p50_ms_at_most").GetDouble());
    }

    [Fact]
    public async Task Healthz_AfterAProbeSlowerThanTheLastBucket_StillAnswersWithTheSlowestAsBound()
    {
        // Seen in CI: four senders posting 64 KB bodies on two cores, one probe took over a second, the p99 bound
        // became infinity, JSON cannot carry it, and every later /healthz and /api/ingest answered 500.
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var probes = factory.Services.GetRequiredService<Ingest.Diagnostics.ProbeLatency>();
        probes.Record(TimeSpan.FromMilliseconds(0.01));
        probes.Record(TimeSpan.FromMilliseconds(2_345));

        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var report = (await client.GetFromJsonAsync<JsonElement>("/api/ingest")).GetProperty("probes");
        Assert.Equal(2_345, report.GetProperty("max_ms").GetDouble());
        Assert.Equal(2_345, report.GetProperty("p99_ms_at_most").GetDouble());
        Assert.Equal(0.025, report.GetProperty("p50_ms_at_most").GetDouble());
    }

    [Fact]
    public async Task Healthz_FlushLoopBlockedWithBacklog_AnswersDegradedAndStaysReady()
    {
        var time = Fixtures.Clock();
        var gate = new GatedWriter();
        // The batch wait is zero: with a stopped fake clock a partial batch would otherwise wait forever.
        await using var factory = new IngestFactory { Time = time, Gate = gate }.With("Ingest:Pipeline:MaxBatchWait", "00:00:00");
        using var client = factory.CreateClient();
        gate.Close();
        var body = """[{"type": "task-succeeded", "uuid": "a", "timestamp": 1795376624.0}, {"type": "task-succeeded", "uuid": "b", "timestamp": 1795376625.0}]""";
        using (var posted = await client.PostAsync("/api/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await Wait.ForAsync(gate.EnteredAsync(), "the flush loop to block in a write");
        time.Advance(TimeSpan.FromSeconds(31));

        using var response = await Wait.ForAsync(client.GetAsync("/healthz"), "/healthz to answer while the flush loop is blocked");
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Equal("writing", health.GetProperty("flush_loop").GetProperty("state").GetString());
        // Degraded, not unready: it still takes events and serves reads, and it is the only pod (issue 12).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        gate.Open();
    }

    [Fact]
    public async Task Ready_ChannelFull_Is503SayingWhy_Issue12()
    {
        var gate = new GatedWriter();
        await using var factory = new IngestFactory { Gate = gate }.With("Ingest:Pipeline:ChannelCapacity", "100").With("Ingest:Pipeline:BatchSize", "10");
        using var client = factory.CreateClient();
        gate.Close();
        var events = string.Join(", ", Enumerable.Range(0, 150).Select(i => $$"""{"type": "task-succeeded", "uuid": "t{{i}}", "timestamp": 1795376624.0}"""));
        using (var posted = await client.PostAsync("/api/events", new StringContent($"[{events}]", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        using var ready = await client.GetAsync("/healthz/ready");
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, $"ready said {body}; healthz {await client.GetStringAsync("/healthz")}");
        Assert.Contains(body.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("channel is full", StringComparison.Ordinal));
        gate.Open();
    }

    [Fact]
    public async Task Ready_BrokerDown_StaysReadyWhileHealthSaysDegraded_Issue12()
    {
        // The outage that took the only pod out of its Service, and the UI with it.
        using var dir = new TempDirectory();
        await using var factory = new IngestFactory(dir.File("x.db")).MovingClock()
            .With("Ingest:Amqp:Url", "amqp://guest:guest@127.0.0.1:1/")
            .With("Ingest:Amqp:Queue", "ingest.test.down");
        using var client = factory.CreateClient();

        await Wait.UntilAsync(() => client.GetFromJsonAsync<JsonElement>("/healthz").GetAwaiter().GetResult().GetProperty("status").GetString() == "degraded", "the outage to show");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
    }

    [Fact]
    public async Task Healthz_DatabaseCannotOpen_IsFailing503()
    {
        using var dir = new TempDirectory();
        var notADatabase = dir.File("plain.txt");
        await File.WriteAllTextAsync(notADatabase, new string('x', 8192));
        await using var factory = new IngestFactory(notADatabase);
        using var client = factory.CreateClient();

        await Wait.UntilAsync(() => client.GetAsync("/healthz").Result.StatusCode == HttpStatusCode.ServiceUnavailable, "healthz to report failing");
        var health = await (await client.GetAsync("/healthz")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failing", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz/live")).StatusCode);
    }
}
