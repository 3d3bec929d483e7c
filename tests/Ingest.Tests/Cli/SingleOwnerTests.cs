using Ingest.Sources.Amqp;
using Ingest.Tests.Support;

namespace Ingest.Tests.Cli;

/// <summary>
/// One process per database file (issue 12): a second serve split every task's events and stored them nameless;
/// a compaction beside a live server stalled it and doubled the file (PocketHost).
/// </summary>
public class SingleOwnerTests
{
    [Fact]
    public async Task SecondServeOnTheSameFile_ExitsTwoAtOnceNamingTheHolder_Issue12()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        await using var first = IngestProcess.Start("serve", "--db", db);
        await first.WaitReadyAsync();

        await using var second = IngestProcess.Start("serve", "--db", db);
        var exit = await second.WaitForExitAsync();

        Assert.Equal(2, exit);
        Assert.Contains($"pid {first.Pid} (serve)", second.Output, StringComparison.Ordinal);
        Assert.Contains("one process per database file", second.Output, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    public async Task ReplayAndCompactBesideAServer_AreRefused_DbInfoStillReads_Issue12()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        await using var server = IngestProcess.Start("serve", "--db", db);
        await server.WaitReadyAsync();

        await using var replay = IngestProcess.Start("replay", Fixtures.CapturePath, "--db", db);
        await using var compact = IngestProcess.Start("db", "compact", "--db", db);
        await using var info = IngestProcess.Start("db", "info", "--db", db);

        Assert.Equal(2, await replay.WaitForExitAsync());
        Assert.Equal(2, await compact.WaitForExitAsync());
        Assert.Equal(0, await info.WaitForExitAsync());
        Assert.Contains($"pid {server.Pid} (serve)", compact.Output, StringComparison.Ordinal);
        Assert.Contains("day partitions", info.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTheHolderIsKilled_ANewServeStarts_TheKernelFreedTheLock()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        await using (var first = IngestProcess.Start("serve", "--db", db))
        {
            await first.WaitReadyAsync();
            await first.KillAsync();
        }

        await using var next = IngestProcess.Start("serve", "--db", db);
        await next.WaitReadyAsync();
        Assert.Equal(0, await next.TerminateAsync());
    }

    [Fact]
    public void DefaultQueueName_DiffersPerDatabaseAndStaysTheSameForOne_Issue12()
    {
        var options = new AmqpOptions();

        Assert.NotEqual(options.QueueNameFor("/data/a.db"), options.QueueNameFor("/data/b.db"));
        Assert.Equal(options.QueueNameFor("/data/a.db"), options.QueueNameFor("/data/../data/a.db"));
        Assert.StartsWith($"ingest.{Environment.MachineName.ToLowerInvariant()}.", options.QueueNameFor("/data/a.db"), StringComparison.Ordinal);
        Assert.Equal("mine", new AmqpOptions { Queue = "mine" }.QueueNameFor("/data/a.db"));
    }
}
