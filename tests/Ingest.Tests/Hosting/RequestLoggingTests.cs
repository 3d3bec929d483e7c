using Ingest.Tests.Support;

namespace Ingest.Tests.Hosting;

/// <summary>Issue 25: at the default level a request wrote 4-5 lines from ASP.NET Core (starting, endpoint, status, finished).</summary>
public class RequestLoggingTests
{
    [Fact]
    public async Task Serve_DefaultLevel_RequestsWriteNoAspNetCoreInformationLines_Issue25()
    {
        using var dir = new TempDirectory();
        await using var serve = IngestProcess.Start("serve", "--db", dir.File("x.db"));
        await serve.WaitReadyAsync();

        for (var i = 0; i < 5; i++)
        {
            using var _ = await serve.Client.GetAsync("/api/invocations?limit=1");
        }

        using var health = await serve.Client.GetAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode);
        // A clean stop flushes the console logger: whatever the requests logged is in the output by then.
        await serve.TerminateAsync();
        Assert.DoesNotContain("info: Microsoft.AspNetCore", serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_OperatorAsksForRequestLines_TheyAreWritten()
    {
        using var dir = new TempDirectory();
        await using var serve = IngestProcess.Start(
            new Dictionary<string, string> { ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information" }, "serve", "--db", dir.File("x.db"));
        await serve.WaitReadyAsync();

        using var _ = await serve.Client.GetAsync("/api/invocations?limit=1");

        await Wait.UntilAsync(() => serve.Output.Contains("info: Microsoft.AspNetCore", StringComparison.Ordinal), "a request line at Information");
    }
}
