using Ingest.Storage;
using Ingest.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Ingest.Tests.Cli;

/// <summary>
/// SIGTERM at any point of startup (issue 24): one in the first half second cancelled Kestrel's bind, the
/// TaskCanceledException went unhandled and the process ended in SIGABRT (exit 134). Kubernetes sends SIGTERM to a
/// pod that is still starting whenever a rollout or an eviction comes at the wrong moment.
/// </summary>
public class StartupSignalTests
{
    /// <summary>Delays after the process starts: before the runtime's own handler, during the build, the flush loop's start, Kestrel's bind, and after.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(150)]
    [InlineData(300)]
    [InlineData(450)]
    [InlineData(600)]
    [InlineData(800)]
    public async Task Sigterm_AtADelayIntoStartup_ExitsCleanlyWithTheFileIntact_Issue24(int delayMs)
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        await using var ingest = IngestProcess.Start("serve", "--db", db);
        await Task.Delay(delayMs); // the point of the test is where in startup the signal lands; no state to wait for

        await AssertCleanStopAsync(ingest, db);
    }

    [Fact]
    public async Task Sigterm_OnceTheFlushLoopHasStartedBeforeKestrelListens_ExitsCleanlyWithTheFileIntact_Issue24()
    {
        using var dir = new TempDirectory();
        var db = dir.File("ingest.db");
        await using var ingest = IngestProcess.Start("serve", "--db", db);
        // The flush loop logs its restore as it starts, before the host goes on to Kestrel's bind: the window of the issue.
        await Wait.UntilAsync(() => ingest.Output.Contains("from the in-flight checkpoint", StringComparison.Ordinal) || ingest.HasExited, "the flush loop to start");

        await AssertCleanStopAsync(ingest, db);
    }

    private static async Task AssertCleanStopAsync(IngestProcess ingest, string db)
    {
        var exit = ingest.HasExited ? ingest.ExitCode : await ingest.TerminateAsync();

        Assert.True(exit is 0 or 143, $"exit {exit}: {ingest.Output}");
        Assert.DoesNotContain("Unhandled exception", ingest.Output, StringComparison.Ordinal);
        // The lock is free for the next process, and the file (if startup got as far as creating it) is intact.
        using (DatabaseLock.Acquire(db, "test", TimeProvider.System))
        {
        }

        if (File.Exists(db))
        {
            using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
    }
}
