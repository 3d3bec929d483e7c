using System.Diagnostics;
using Ingest.Tests.Support;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// Two ClickHouse shards and a ZooKeeper (the shared fixture's server.sh with SHARDS = 2) on free loopback ports, for
/// the cluster tests only: started when their class first runs, stopped after it, so no other test waits for them.
/// </summary>
public sealed class ClickHouseClusterFixture : IDisposable
{
    private readonly string _script = Path.Combine(TestPaths.SharedDir, "fixtures", "clickhouse", "server.sh");
    private readonly TempDirectory _dir = new();
    private readonly int _port;

    public ClickHouseClusterFixture()
    {
        // server.sh uses PORT..PORT+12 for the two servers and PORT+99 for ZooKeeper.
        _port = TestPorts.FreeBlock(100);
        Run("start");
    }

    /// <summary>The first shard's URL, without a database.</summary>
    public string FirstShard => $"http://default@127.0.0.1:{_port}/";

    /// <summary>The second shard's URL, without a database.</summary>
    public string SecondShard => $"http://default@127.0.0.1:{_port + 10}/";

    /// <summary>The cluster's name in the servers' remote_servers.</summary>
    public string Cluster => "ingest";

    public void Dispose()
    {
        Run("stop");
        _dir.Dispose();
    }

    private void Run(string verb)
    {
        var start = new ProcessStartInfo("bash", [_script, verb, _port.ToString(System.Globalization.CultureInfo.InvariantCulture), _dir.Path, "2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The servers are the test's infrastructure, like the broker and the single ClickHouse scripts/test starts
        // outside faketime: under the suite's faketime pass they would inherit its LD_PRELOAD, and shard 1 never
        // answered on a clock moved 400 days. The data's time is the test's, written into the rows.
        foreach (var key in start.Environment.Keys.Where(k => k is "LD_PRELOAD" || k.StartsWith("FAKETIME", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"server.sh {verb} failed: {stderr.Result}");
        }
    }
}
