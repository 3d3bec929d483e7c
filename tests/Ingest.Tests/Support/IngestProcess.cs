using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingest.Tests.Support;

/// <summary>
/// Ingest as operators run it: <c>dotnet ingest.dll ARGS</c> in its own process, on a free loopback port, with its
/// output kept (bounded) for the assertion messages. For what only a process shows: resident memory, a second
/// process on the same file, SIGTERM and kill -9.
/// </summary>
internal sealed class IngestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;

    private IngestProcess(Process process, int port)
    {
        _process = process;
        _output = new ProcessOutput(process);
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => _output.ToString();

    /// <summary>Starts <c>ingest ARGS</c>; for <c>serve</c>, adds <c>--urls</c> on a free port unless given.</summary>
    public static IngestProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts <c>ingest ARGS</c> with extra environment variables.</summary>
    public static IngestProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ingest.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if ((args.Length == 0 || args[0] is "serve" || args[0].StartsWith("--", StringComparison.Ordinal)) && !args.Contains("--urls"))
        {
            psi.ArgumentList.Add("--urls");
            psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        }

        psi.Environment["DOTNET_gcServer"] = "0";
        // As the container image and dotnet run start it (Dockerfile, Properties/launchSettings.json).
        psi.Environment["DOTNET_GCgen0size"] = "0x1000000";
        psi.Environment["DOTNET_GCgen0MaxBudget"] = "0x2000000";
        // Open, with HTTP ingest on; a test's own environment below overrides both.
        psi.Environment["Ingest__Auth__Disabled"] = "true";
        psi.Environment["Ingest__Auth__HttpIngest"] = "true";
        // The test's clock, not the machine's calendar: data the test dates from TestClock are today's for the child.
        psi.Environment["Ingest__ClockStart"] = TestClock.ChildSetting();
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        return new IngestProcess(Process.Start(psi)!, port);
    }

    /// <summary>Waits until <c>/healthz</c> answers.</summary>
    public async Task WaitReadyAsync()
    {
        await Wait.UntilAsync(() =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"ingest exited with {_process.ExitCode} before it answered: {Output}");
            }

            try
            {
                using var r = Client.GetAsync("/healthz").GetAwaiter().GetResult();
                return r.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "ingest to answer /healthz");
    }

    /// <summary>Resident set size from /proc, in bytes.</summary>
    public long RssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Wait.ForAsync(_process.WaitForExitAsync(), "ingest to exit after SIGTERM", timeout);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no drain, no finally blocks.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await Wait.ForAsync(_process.WaitForExitAsync(), "ingest to die");
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await Wait.ForAsync(_process.WaitForExitAsync(), "ingest to exit", timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
