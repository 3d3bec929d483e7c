using System.Diagnostics;

namespace Ingest.Tests.Support;

/// <summary>
/// A real Celery worker (Debian's python3-celery, prefork, -E) running <c>celery_app.py</c> against a test broker,
/// with its own control namespace and task queue so that no other test's worker hears its commands or takes its
/// tasks. Started ready (its "ready." log line seen), killed with its pool on dispose.
/// </summary>
internal sealed class CeleryWorker(Process process, ProcessOutput output, string hostname, string queue, Dictionary<string, string> environment, string directory)
    : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";

    /// <summary>The worker's hostname, <c>name@ingest-tests</c>, as replies and destinations spell it.</summary>
    public string Hostname => hostname;

    /// <summary>The queue it consumes tasks from.</summary>
    public string Queue => queue;

    /// <summary>Where celery_app.py is (the worker imports it from there).</summary>
    public static string AppDirectory => Path.Combine(Ingest.Testing.TestPaths.RepositoryRoot, "tests", "Ingest.Tests", "Support");

    /// <summary>What the worker has logged, for assertion messages.</summary>
    public string Output => output.ToString();

    /// <summary>Completes when the worker has logged a line containing <paramref name="text"/>.</summary>
    public Task LineAsync(string text) => output.LineAsync(text);

    /// <summary>
    /// Starts <c>{name}@ingest-tests</c> on <paramref name="brokerUrl"/> with <paramref name="concurrency"/> pool
    /// processes, consuming <paramref name="queue"/>, answering commands in <paramref name="controlNamespace"/>, and
    /// returns once it logs ready.
    /// </summary>
    public static async Task<CeleryWorker> StartAsync(string brokerUrl, string name, string controlNamespace, string queue, int concurrency = 2)
    {
        var hostname = $"{name}@ingest-tests";
        var environment = new Dictionary<string, string>
        {
            ["CELERY_TEST_BROKER"] = brokerUrl,
            ["CELERY_TEST_CONTROL"] = controlNamespace,
            ["CELERY_TEST_QUEUE"] = queue,
            ["PYTHONPATH"] = AppDirectory,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["C_FORCE_ROOT"] = "1",
        };
        var directory = Directory.CreateTempSubdirectory("ingest-celery-").FullName;
        var process = Start(["-m", "celery", "-A", "celery_app", "worker", "-E", "-n", hostname, "--pool", "prefork", "-c", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-Q", queue, "--without-mingle", "--without-gossip", "--loglevel=INFO"], environment, directory);
        var output = new ProcessOutput(process);
        var worker = new CeleryWorker(process, output, hostname, queue, environment, directory);
        try
        {
            var ready = output.LineAsync($"{hostname} ready.");
            await Wait.ForAsync(Task.WhenAny(ready, process.WaitForExitAsync()), $"worker {hostname} to be ready", TimeSpan.FromSeconds(90));
            if (!ready.IsCompleted)
            {
                throw new InvalidOperationException($"worker {hostname} exited {process.ExitCode} before it was ready:\n{output}");
            }
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }

        return worker;
    }

    /// <summary>Sends <paramref name="task"/> with positional <paramref name="argsJson"/> to this worker's queue; returns the task id.</summary>
    public async Task<string> SendTaskAsync(string task, string argsJson)
    {
        using var client = Start(["-c", "import json, sys, celery_app; print(celery_app.app.send_task(sys.argv[1], args=json.loads(sys.argv[2]), queue=sys.argv[3]).id, flush=True)", task, argsJson, Queue],
            environment, directory);
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        await Wait.ForAsync(client.WaitForExitAsync(), $"the client sending {task}", TimeSpan.FromSeconds(60));
        var id = (await stdout).Trim();
        return client.ExitCode == 0 && id.Length > 0 ? id : throw new InvalidOperationException($"sending {task} failed ({client.ExitCode}): {await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Process Start(string[] args, Dictionary<string, string> environment, string directory)
    {
        var psi = new ProcessStartInfo(Python) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        // The fleet keeps the real clock, as the suite's brokers do (started outside faketime): the commands' expires
        // header is Ingest's clock, which workers do not check, and nothing here depends on the worker's dates.
        psi.Environment.Remove("LD_PRELOAD");
        psi.Environment.Remove("FAKETIME");
        return Process.Start(psi)!;
    }
}
