namespace Ingest.Tests.Support;

/// <summary>
/// In-process hosts are built one at a time. WebApplicationFactory finds its host by listening for the next host
/// built in the process (HostFactoryResolver watches the hosting DiagnosticListener); a replay verb building its
/// own host in a test running beside it was taken instead, and that factory's server then hung (seen as a POST
/// with wait=durable that never answered). Every factory start and every in-process CLI run takes this gate.
/// </summary>
internal static class HostGate
{
    public static readonly SemaphoreSlim Gate = new(1, 1);
}

/// <summary>Runs the CLI in this process, as <c>ingest ARGS</c> would, behind <see cref="HostGate"/>.</summary>
internal static class TestCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        await HostGate.Gate.WaitAsync();
        try
        {
            return await Ingest.Cli.IngestCli.RunAsync(args);
        }
        finally
        {
            HostGate.Gate.Release();
        }
    }
}
