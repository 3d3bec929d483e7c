using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingest.Tests.Support;

/// <summary>
/// Redis for the tests: the suite's own (INGEST_TEST_REDIS_URL, started by scripts/test), or a private
/// redis-server on a free port that a test can stop and start again (Debian's package, no persistence).
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly bool _owned;

    private RedisServer(int port, string dir, bool owned)
    {
        Port = port;
        _dir = dir;
        _owned = owned;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}/0";

    /// <summary>The suite's Redis.</summary>
    public static RedisServer Shared()
    {
        var url = Environment.GetEnvironmentVariable("INGEST_TEST_REDIS_URL")
            ?? throw new InvalidOperationException("No Redis: INGEST_TEST_REDIS_URL is set by scripts/test, which starts a private redis-server. Run the tests with scripts/test.");
        return new RedisServer(new Uri(url).Port, string.Empty, owned: false);
    }

    /// <summary>A redis-server of this test's own.</summary>
    public static async Task<RedisServer> StartPrivateAsync(TempDirectory dir)
    {
        var port = TestPorts.FreeBlock(1);
        var server = new RedisServer(port, dir.File("redis"), owned: true);
        Directory.CreateDirectory(server._dir);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        await RunAsync("redis-server", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _dir,
            "--save", "", "--appendonly", "no", "--daemonize", "yes", "--pidfile", Path.Combine(_dir, "redis.pid"), "--logfile", Path.Combine(_dir, "redis.log"));
        await Wait.UntilAsync(() => Ping(), "redis-server to answer PING");
    }

    public Task StopAsync() => RunAsync("redis-cli", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "shutdown", "nosave");

    public async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await StopAsync();
        }
    }

    private bool Ping()
    {
        try
        {
            using var c = new TcpClient("127.0.0.1", Port);
            using var s = c.GetStream();
            s.Write("PING\r\n"u8);
            var buffer = new byte[16];
            return s.Read(buffer) > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        // A server the test talks to keeps the real clock, as the suite's own brokers do (started outside faketime):
        // redis-server under libfaketime never finished daemonizing.
        psi.Environment.Remove("LD_PRELOAD");
        psi.Environment.Remove("FAKETIME");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        try
        {
            await Wait.ForAsync(p.WaitForExitAsync(), $"{file} to finish");
        }
        finally
        {
            // A process that never finishes would hold the test run's output pipe open: end it.
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }
}
