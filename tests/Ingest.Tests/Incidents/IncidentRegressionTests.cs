using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Retention;
using Ingest.Storage.Writing;
using Ingest.Tests.Pipeline;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Incidents;

/// <summary>The incidents of DEVELOPERS.md, one regression test each (the storage-level ones are in Storage.Tests).</summary>
[Collection(StallBudget.Name)]
public class IncidentRegressionTests
{
    [Fact]
    public async Task Retention_LargeDayDroppedWhileFlushLoopWrites_NoStallLongerThanTheDropPlusAVacuumStep_Incident1()
    {
        using var dir = new TempDirectory();
        var storage = new StorageOptions { DatabasePath = dir.File("ingest.db") };
        var now = TestClock.Now;
        var oldDay = now.AddDays(-10).ToUnixTimeSeconds();
        using (var seed = new InvocationWriter(storage))
        {
            // A large day past retention: 100k rows with realistic details.
            for (var b = 0; b < 20; b++)
            {
                seed.WriteBatch(Enumerable.Range(b * 5000, 5000).Select(i => new InvocationRecord
                {
                    TaskId = $"old-{i}", State = TaskStates.Success, StateAt = oldDay + (i * 0.1), FinishedAt = oldDay + (i * 0.1),
                    Name = "shop.tasks.process_order", Args = "()", Kwargs = $"{{'order_id': {i}, 'items': {new string('x', 300)}}}",
                }).ToList());
            }
        }

        var retention = new RetentionOptions { Days = 7, VacuumStepBudget = TimeSpan.FromMilliseconds(50) };
        var status = new StorageStatus();
        var options = new PipelineOptions { ChannelCapacity = 20_000, BatchSize = 500, MaxBatchWait = TimeSpan.FromMilliseconds(5), IdleTick = TimeSpan.FromMilliseconds(100) };
        await using var h = new PipelineHarness(options, TestClock.Moving, () => new SqliteBatchWriter(storage, retention, status, TestClock.Moving, NullLogger.Instance));
        await h.StartAsync();

        // Keep writing until the old day is gone and its pages are reclaimed.
        var i = 0;
        var maxBacklog = 0L;
        await Wait.UntilAsync(() =>
        {
            for (var k = 0; k < 50; k++, i++)
            {
                h.Channel.Write(PipelineHarness.Record(i) with { StateAt = now.ToUnixTimeSeconds() + (i * 0.001), FinishedAt = now.ToUnixTimeSeconds() + (i * 0.001) });
            }

            maxBacklog = Math.Max(maxBacklog, h.Queued);
            // The old rows span 2.8 hours from a random time of day: one or two day partitions.
            return status.PartitionsDroppedForRetention >= 1 && status.Facts.Partitions.All(p => p.Day >= DateOnly.FromDateTime(now.UtcDateTime.AddDays(-6)))
                && status.Facts.FreelistPages == 0;
        }, "the old day to be dropped and vacuumed while writing", TimeSpan.FromSeconds(90));
        Assert.True(status.PartitionsDroppedForRetention >= 1, $"drops {status.PartitionsDroppedForRetention}, freelist {status.Facts.FreelistPages}, vacuum steps {status.VacuumSteps}");
        await Wait.UntilAsync(() => h.Queued == 0, "the backlog to drain");

        var allowed = status.LastDropDuration + (retention.VacuumStepBudget * 2) + TimeSpan.FromMilliseconds(250);
        Assert.True(h.State.MaxStall <= allowed, $"longest stall {h.State.MaxStall.TotalMilliseconds:F0} ms; the DROP took {status.LastDropDuration.TotalMilliseconds:F0} ms");
        Assert.True(status.VacuumSteps > 1, "the vacuum ran in several steps between batches");
        Assert.True(maxBacklog <= options.ChannelCapacity);
        Assert.Equal(0, h.Counters.DroppedTotal);
        h.AssertBalanced();
    }

    [Fact]
    public async Task Healthz_NeverOpensASqliteConnection_AnswersWithTheDatabaseGone_Incident5()
    {
        using var dir = new TempDirectory();
        await using var factory = new IngestFactory(dir.File("ingest.db"));
        using var client = factory.CreateClient();
        await Wait.UntilAsync(() => Json(client, "/healthz") is var h
            && h.GetProperty("storage").GetProperty("partitions").GetInt32() == 2
            && h.GetProperty("flush_loop").GetProperty("state").GetString() == "idle", "the writer to be open and idle");

        // Readers open the file by path: with it gone, anything that touches SQLite fails, and /healthz must not.
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(dir.Path))
        {
            File.Delete(f);
        }

        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        using var read = await client.GetAsync("/api/invocations/anything");
        Assert.Equal(HttpStatusCode.InternalServerError, read.StatusCode);
    }

    [Fact]
    public async Task LegacyDatabase_BootsServesHealthzAndEveryRowThroughTheApi_Incident3()
    {
        using var dir = new TempDirectory();
        var db = dir.File("phlower.db");
        File.Copy(Fixtures.LegacyDbPath, db);
        File.SetAttributes(db, FileAttributes.Normal);
        var expected = LegacyRows(db);

        await using var factory = new IngestFactory(db).With("Ingest:Retention:Days", "3650");
        using var client = factory.CreateClient();
        await Wait.UntilAsync(() => Json(client, "/healthz").GetProperty("storage").GetProperty("legacy_present").GetBoolean(), "the legacy tables to be reported");

        foreach (var (id, (name, state)) in expected)
        {
            var got = Json(client, $"/api/invocations/{id}");
            Assert.Equal(name, got.GetProperty("name").GetString());
            Assert.Equal(state, got.GetProperty("state").GetString());
        }

        var listed = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = Json(client, "/api/invocations?limit=1000" + (cursor is null ? "" : $"&cursor={cursor}"));
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                Assert.True(listed.Add(item.GetProperty("task_id").GetString()!));
            }

            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(expected.Keys.ToHashSet(), listed);
        var health = Json(client, "/healthz");
        Assert.Equal("none", health.GetProperty("storage").GetProperty("auto_vacuum").GetString());
    }

    private static JsonElement Json(HttpClient client, string url) => client.GetFromJsonAsync<JsonElement>(url).GetAwaiter().GetResult();

    private static Dictionary<string, (string Name, string State)> LegacyRows(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT task_id, task_name, state FROM invocations";
        using var r = cmd.ExecuteReader();
        var rows = new Dictionary<string, (string, string)>();
        while (r.Read())
        {
            rows[r.GetString(0)] = (r.GetString(1), r.GetString(2));
        }

        return rows;
    }
}
