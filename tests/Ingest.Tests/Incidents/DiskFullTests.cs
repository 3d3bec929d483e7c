using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Retention;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Incidents;

/// <summary>
/// A full disk (simulated with <c>PRAGMA max_page_count</c>, which fails commits with SQLITE_FULL) (issue 12):
/// POST answered 202 while every commit failed. Senders are now told to back off, nothing accepted is lost
/// uncounted, and the accounting holds.
/// </summary>
public class DiskFullTests
{
    [Fact]
    public async Task DiskFull_PostAnswers503WithRetryAfter_AndEveryAcceptedInvocationIsCounted_Issue12()
    {
        await using var factory = new IngestFactory
        {
            TestServices = s => s.PostConfigure<StorageOptions>(o => o.OnWriterOpen = c =>
            {
                using var pragma = c.CreateCommand();
                // Room for the schema of today's and tomorrow's partitions and a few rows, then SQLITE_FULL.
                pragma.CommandText = "PRAGMA max_page_count = 400";
                pragma.ExecuteNonQuery();
            }),
        }.MovingClock().With("Ingest:Pipeline:MaxWriteAttempts", "2");
        using var client = factory.CreateClient();
        var args = new string('a', 4000);

        HttpResponseMessage? refused = null;
        for (var i = 0; i < 5000 && refused is null; i++)
        {
            var body = $$"""[{"type": "task-received", "uuid": "t{{i}}", "name": "t.x", "args": "{{args}}", "timestamp": 1795376624.0}, {"type": "task-succeeded", "uuid": "t{{i}}", "timestamp": 1795376625.0}]""";
            var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        Assert.NotNull(refused.Headers.RetryAfter);
        var reason = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains("commits are failing", reason, StringComparison.Ordinal);
        Assert.Contains("full", reason, StringComparison.OrdinalIgnoreCase);
        refused.Dispose();

        // What was accepted is stored, or counted as dropped after the retries (never silently gone).
        await Wait.UntilAsync(() => Json(client, "/healthz").GetProperty("backlog") is var b && b.GetProperty("queued").GetInt32() == 0 && b.GetProperty("in_progress").GetInt32() == 0, "the backlog to settle");
        var inv = Json(client, "/healthz").GetProperty("invocations");
        Assert.True(inv.GetProperty("dropped").GetProperty("write_failed").GetInt64() > 0);
        Assert.Equal(inv.GetProperty("received").GetInt64(), inv.GetProperty("flushed").GetInt64() + inv.GetProperty("dropped").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.Equal("degraded", Json(client, "/healthz").GetProperty("status").GetString());
    }

    [Fact]
    public async Task DiskFull_RoomAgainWithNothingArriving_ReadinessReturnsAndTheNextPostIsStored_Issue24()
    {
        // Issue 24: after the episode /healthz/ready stayed 503 ("18 failed commits in a row") with 57 MiB free, for
        // as long as nothing new arrived; with HTTP-only ingest behind a Service nothing could. The fault comes from
        // the writer (SQLITE_FULL on every commit and probe while the disk is "full"): a test cannot fill a real disk.
        var disk = new FullDisk();
        await using var factory = new IngestFactory
        {
            TestServices = s => s.AddSingleton<Func<IBatchWriter>>(sp =>
            {
                var storage = sp.GetRequiredService<StorageOptions>();
                var retention = sp.GetRequiredService<RetentionOptions>();
                var status = sp.GetRequiredService<StorageStatus>();
                var time = sp.GetRequiredService<TimeProvider>();
                return () => disk.Wrap(new SqliteBatchWriter(storage, retention, status, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
            }),
        }.MovingClock().With("Ingest:Pipeline:MaxWriteAttempts", "2");
        using var client = factory.CreateClient();

        disk.Full = true;
        using (var posted = await client.PostAsync("/api/events", Event("t0")))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await Wait.UntilAsync(() => Status(client, "/healthz/ready") == HttpStatusCode.ServiceUnavailable, "readiness to fail while every commit does");
        await Wait.UntilAsync(() => disk.Probes >= 2, "write probes while the disk is still full");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Status(client, "/healthz/ready"));

        disk.Full = false;
        // Nothing is posted: the loop's own probe must find the room. Probes back off to 5 s at most, plus an idle tick.
        await Wait.UntilAsync(() => Status(client, "/healthz/ready") == HttpStatusCode.OK, "readiness to return with nothing arriving", TimeSpan.FromSeconds(15));
        var loop = Json(client, "/healthz").GetProperty("flush_loop");
        Assert.Equal(0, loop.GetProperty("consecutive_failures").GetInt32());
        Assert.True(loop.GetProperty("write_probes_failed").GetInt64() >= 2);

        // And the store takes the next sender's events.
        using (var next = await client.PostAsync("/api/events", Event("t1")))
        {
            Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        }

        await Wait.UntilAsync(() => Json(client, "/healthz").GetProperty("invocations").GetProperty("flushed").GetInt64() == 1, "the next post to be stored");
    }

    private static StringContent Event(string id)
    {
        var at = TestClock.UnixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new StringContent(
            $$"""[{"type": "task-received", "uuid": "{{id}}", "name": "t.x", "timestamp": {{at}}}, {"type": "task-succeeded", "uuid": "{{id}}", "timestamp": {{at}}}]""",
            Encoding.UTF8,
            "application/json");
    }

    private static HttpStatusCode Status(HttpClient client, string url)
    {
        using var response = client.GetAsync(url).GetAwaiter().GetResult();
        return response.StatusCode;
    }

    private static JsonElement Json(HttpClient client, string url) => client.GetFromJsonAsync<JsonElement>(url).GetAwaiter().GetResult();

    /// <summary>A disk that is full while <see cref="Full"/>: every commit and probe fails with SQLITE_FULL, as SQLite reports it.</summary>
    private sealed class FullDisk
    {
        private int _probes;
        private volatile bool _full;

        public bool Full
        {
            get => _full;
            set => _full = value;
        }

        public int Probes => Volatile.Read(ref _probes);

        public IBatchWriter Wrap(IBatchWriter inner) => new Writer(this, inner);

        private void ThrowIfFull()
        {
            if (_full)
            {
                throw new SqliteException("database or disk is full", 13);
            }
        }

        private sealed class Writer(FullDisk disk, IBatchWriter inner) : IBatchWriter
        {
            public void Write(IReadOnlyList<InvocationRecord> batch, Ingest.Storage.Checkpoint.CheckpointDelta? checkpoint = null)
            {
                disk.ThrowIfFull();
                inner.Write(batch, checkpoint);
            }

            public void WriteQueueSamples(IReadOnlyList<Ingest.Storage.Rollups.QueueSample> samples)
            {
                disk.ThrowIfFull();
                inner.WriteQueueSamples(samples);
            }

            public void ProbeWrite()
            {
                Interlocked.Increment(ref disk._probes);
                disk.ThrowIfFull();
                inner.ProbeWrite();
            }

            public IReadOnlyList<Ingest.Storage.Checkpoint.CheckpointRow> ReadCheckpoint(int max) => inner.ReadCheckpoint(max);

            public bool Maintain(CancellationToken cancellationToken) => inner.Maintain(cancellationToken);

            public void Dispose() => inner.Dispose();
        }
    }
}
