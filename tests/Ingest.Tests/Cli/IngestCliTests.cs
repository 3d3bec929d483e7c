using Ingest.Cli;
using Ingest.Tests.Support;

namespace Ingest.Tests.Cli;

public class IngestCliTests
{
    [Fact]
    public async Task Replay_InvalidOption_ExitsTwoWithoutTouchingTheDatabase()
    {
        using var dir = new TempDirectory();
        var db = dir.File("x.db");

        var exit = await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db, "--batch-size", "0"]);

        Assert.Equal(2, exit);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task Replay_MissingFile_ExitsTwo()
    {
        using var dir = new TempDirectory();

        Assert.Equal(2, await TestCli.RunAsync(["replay", dir.File("none.jsonl"), "--db", dir.File("x.db")]));
    }

    [Fact]
    public async Task Replay_LinesThatAreNotCaptureRecords_AreCountedAndTheRestStored()
    {
        using var dir = new TempDirectory();
        var capture = dir.File("capture.jsonl");
        var good = File.ReadLines(Fixtures.CapturePath).ToList();
        await File.WriteAllLinesAsync(capture, good.Take(20).Append("{not json").Append("""{"seq": 1}""").Concat(good.Skip(20)));

        var exit = await TestCli.RunAsync(["replay", capture, "--db", dir.File("x.db")]);

        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Replay_CaptureOlderThanRetention_StoresEveryTaskAndDropsNoDay_Issue12()
    {
        using var dir = new TempDirectory();
        var db = dir.File("x.db");

        // The capture is days old on any clock after its day; with one day of retention, serve would drop it.
        var exit = await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db, "--retention-days", "1"]);

        Assert.Equal(0, exit);
        Assert.Equal(ExpectedTask.From(Fixtures.AllEvents()).Keys.Order(), StoredIds(db).Order());
    }

    [Fact]
    public async Task Replay_ALongCaptureTenDaysOld_StoresEveryTaskThoughMaintenanceRunsMidReplay_Issue12()
    {
        // The probe: "flushed 9150, dropped 0" and 247 rows left, because retention ran between batches. A replay
        // of some seconds lets maintenance run several times; the old day must survive all of them.
        using var dir = new TempDirectory();
        var capture = dir.File("old.jsonl");
        var clock = Fixtures.CaptureEnd;
        var start = clock.AddDays(-10).ToUnixTimeMilliseconds() / 1000.0;
        const int Tasks = 100_000;
        await using (var file = File.CreateText(capture))
        {
            for (var i = 0; i < Tasks; i += 10)
            {
                var events = Enumerable.Range(i, 10).Select(t =>
                    $$"""{"type": "task-received", "uuid": "old-{{t}}", "name": "t.old", "args": "({{t}},)", "timestamp": {{(start + t * 0.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}, {"type": "task-succeeded", "uuid": "old-{{t}}", "runtime": 0.01, "timestamp": {{(start + t * 0.01 + 0.005).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}""");
                var body = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("[" + string.Join(", ", events) + "]"));
                await file.WriteLineAsync($$"""{"seq": {{i}}, "routing_key": "task.multi", "body_b64": "{{body}}"}""");
            }
        }

        var exit = await TestCli.RunAsync(["replay", capture, "--db", dir.File("x.db"), "--batch-size", "500", "--clock-start", clock.ToString("O")]);

        Assert.Equal(0, exit);
        Assert.Equal(Tasks, StoredInvocations.All(dir.File("x.db")).Count);
    }

    [Fact]
    public async Task Replay_ShiftToNow_TheCaptureEndsAtTheReplaysClockAndKeepsItsSpacing()
    {
        using var dir = new TempDirectory();
        var db = dir.File("x.db");
        // The replay's clock starts a year after the capture: "now" is the clock's, not the machine's calendar.
        var clock = Fixtures.CaptureEnd.AddDays(365);
        var before = clock.ToUnixTimeMilliseconds() / 1000.0;
        var took = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db, "--shift-to-now", "--retention-days", "1", "--clock-start", clock.ToString("O")]));

        var after = before + took.Elapsed.TotalSeconds;
        var stored = new Ingest.Storage.Reading.InvocationReader(new Ingest.Storage.StorageOptions { DatabasePath = db })
            .List(new Ingest.Storage.Reading.InvocationQuery { Limit = 1000 }).Items;
        var lastCaptured = File.ReadLines(Fixtures.CapturePath).Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("captured_at").GetDouble()).Last();
        var lastEvent = Fixtures.AllEvents().Where(e => e.GetProperty("type").GetString()!.StartsWith("task-", StringComparison.Ordinal))
            .Max(e => e.GetProperty("timestamp").GetDouble());
        var newest = stored.Max(r => r.StateAt);
        Assert.Equal(ExpectedTask.From(Fixtures.AllEvents()).Count, stored.Count);
        // The last event sat (captured_at - its timestamp) before the capture's end; it keeps that distance from now.
        Assert.InRange(newest, before - (lastCaptured - lastEvent) - 0.01, after - (lastCaptured - lastEvent) + 0.01);
    }

    [Fact]
    public async Task Replay_WithDetailDays_KeepsTheDetailsItJustWrote()
    {
        // Detail retention is maintenance's, and replay runs none unless asked: an old capture keeps its args.
        using var dir = new TempDirectory();
        var db = dir.File("x.db");

        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db, "--detail-days", "1"]));

        var rows = new Ingest.Storage.Reading.InvocationReader(new Ingest.Storage.StorageOptions { DatabasePath = db })
            .List(new Ingest.Storage.Reading.InvocationQuery { Limit = 1000 }).Items;
        Assert.Contains(rows, r => r.Args is not null);
    }

    [Fact]
    public async Task Replay_NegativeDetailDays_ExitsTwo()
    {
        using var dir = new TempDirectory();

        Assert.Equal(2, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", dir.File("x.db"), "--detail-days", "-1"]));
    }

    private static List<string> StoredIds(string db) =>
        new Ingest.Storage.Reading.InvocationReader(new Ingest.Storage.StorageOptions { DatabasePath = db })
            .List(new Ingest.Storage.Reading.InvocationQuery { Limit = 1000 }).Items.Select(r => r.TaskId).ToList();

    [Theory]
    [InlineData("--bogus")]
    [InlineData("stray")]
    public void TrySplitHostArgs_UnknownToken_IsRefused(string token) =>
        Assert.False(IngestCli.TrySplitHostArgs([token], out _, out _));

    [Fact]
    public void TrySplitHostArgs_HostSettings_PassThrough()
    {
        Assert.True(IngestCli.TrySplitHostArgs(["--Ingest:Pipeline:BatchSize=10", "--environment", "Development", "--urls=http://127.0.0.1:1"], out var args, out _));
        Assert.Equal(["--Ingest:Pipeline:BatchSize=10", "--environment", "Development", "--urls=http://127.0.0.1:1"], args);
    }
}

public class DbVerbsTests
{
    [Fact]
    public async Task DbCompact_PhlowerFile_SwitchesToIncrementalAndKeepsEveryRow()
    {
        using var dir = new TempDirectory();
        var db = dir.File("phlower.db");
        File.Copy(Fixtures.LegacyDbPath, db);
        File.SetAttributes(db, FileAttributes.Normal);
        var before = Ingest.Storage.Maintenance.DatabaseInfo.Read(db);

        Assert.Equal(0, await TestCli.RunAsync(["db", "compact", "--db", db]));

        var after = Ingest.Storage.Maintenance.DatabaseInfo.Read(db);
        Assert.Equal("none", before.AutoVacuum);
        Assert.Equal("incremental", after.AutoVacuum);
        Assert.True(after.UnmigratedLegacy);
        Assert.Equal(0, after.FreelistPages);
    }

    [Fact]
    public async Task DbInfo_MissingFile_ExitsTwo()
    {
        using var dir = new TempDirectory();

        Assert.Equal(2, await TestCli.RunAsync(["db", "info", "--db", dir.File("none.db")]));
    }

    [Fact]
    public async Task DbInfo_ClickHouseThatDoesNotAnswer_ExitsTwo_Issue26()
    {
        // A port nothing listens on: refused at once, said on stderr, exit 2 as for a missing file.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Assert.Equal(2, await TestCli.RunAsync(["db", "info", "--clickhouse", $"http://127.0.0.1:{port}/ingest"]));
    }

    [Fact]
    public async Task DbInfo_ClickHouseAfterReplay_ExitsZero_Issue26()
    {
        var url = (Environment.GetEnvironmentVariable("INGEST_TEST_CLICKHOUSE_URL")
            ?? throw new InvalidOperationException("No ClickHouse: INGEST_TEST_CLICKHOUSE_URL is set by scripts/test.")).TrimEnd('/') + "/i_" + Guid.NewGuid().ToString("N")[..12];
        using var dir = new TempDirectory();
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--shift-to-now", "--db", dir.File("x.db"), "--clickhouse", url]));

        Assert.Equal(0, await TestCli.RunAsync(["db", "info", "--clickhouse", url, "--json"]));
        using var client = new Ingest.Storage.ClickHouse.ClickHouseClient(Ingest.Storage.ClickHouse.ClickHouseEndpoint.Parse(url), TimeSpan.FromSeconds(30));
        var info = Ingest.Storage.ClickHouse.ClickHouseStoreInfo.Read(client);
        var tasks = Fixtures.AllEvents().Where(e => e.GetProperty("type").GetString()!.StartsWith("task-", StringComparison.Ordinal)).Select(e => e.GetProperty("uuid").GetString()).Distinct().Count();
        // A task written in two batches has two rows until reads merge them: at least one row per task.
        Assert.InRange(info.Partitions.Where(p => p.Table == "invocations").Sum(p => p.Rows), tasks, 2 * tasks);
        Assert.Equal(Ingest.Storage.ClickHouse.ClickHouseMigrator.LatestVersion, info.SchemaVersion);
    }

    [Fact]
    public async Task DatabaseInfo_AfterReplay_ListsPartitionsWithRowEstimates()
    {
        using var dir = new TempDirectory();
        var db = dir.File("x.db");
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", db]));

        var info = Ingest.Storage.Maintenance.DatabaseInfo.Read(db);

        Assert.Equal("incremental", info.AutoVacuum);
        Assert.Contains(info.Partitions, p => p.RowEstimate == Fixtures.AllEvents().Where(e => e.GetProperty("type").GetString()!.StartsWith("task-", StringComparison.Ordinal)).Select(e => e.GetProperty("uuid").GetString()).Distinct().Count());
    }
}

public class ConfigurationErrorTests
{
    [Theory]
    [InlineData("--batch-size", "0", "must be between 1 and 100000")]
    [InlineData("--max-memory-mb", "1", "must be between 16 and 65536")]
    [InlineData("--max-wal-mb", "0", "must be between 1 and 1048576")]
    [InlineData("--max-read-age-s", "0", "must be between")]
    [InlineData("--worker-group-pattern", "(", "is not a valid regular expression")]
    [InlineData("--max-future-skew-s", "-5", "must be between")]
    [InlineData("--clock-start", "yesterday", "is not an ISO 8601 instant")]
    [InlineData("--clock-start", "1999-12-31T23:00:00Z", "the days partitions are named for")]
    public async Task Serve_InvalidFlag_PrintsOneLineNamingFlagAndEnvironmentKey_ExitsTwo_Issue12(string flag, string value, string why)
    {
        using var dir = new TempDirectory();
        await using var ingest = IngestProcess.Start("serve", "--db", dir.File("x.db"), flag, value);

        Assert.Equal(2, await ingest.WaitForExitAsync());
        var line = Assert.Single(ingest.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(flag, line, StringComparison.Ordinal);
        Assert.Contains("environment Ingest__", line, StringComparison.Ordinal);
        Assert.Contains(why, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_EnvironmentValueOfTheWrongType_PrintsOneLineAndExitsTwo_NoStackTrace_Issue12()
    {
        using var dir = new TempDirectory();
        await using var ingest = IngestProcess.Start(new Dictionary<string, string> { ["Ingest__Pipeline__BatchSize"] = "abc" }, "serve", "--db", dir.File("x.db"));

        Assert.Equal(2, await ingest.WaitForExitAsync());
        var line = Assert.Single(ingest.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Ingest:Pipeline:BatchSize (--batch-size, environment Ingest__Pipeline__BatchSize): 'abc' is not a valid whole number", line, StringComparison.Ordinal);
    }
}
