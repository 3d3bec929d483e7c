using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Ingest.Tests.Support;

/// <summary>
/// Debian's Prometheus (package prometheus, 2.42; scripts/test installs it and exports INGEST_TEST_PROMETHEUS), started
/// by a test on a free loopback port with its data in the test's temp directory, and stopped (SIGTERM) on dispose.
/// It scrapes what the test gives (<see cref="ScrapeConfig"/>: one target, 1 s scrape and rule evaluation), loads the
/// rule files given, and answers the HTTP API's instant and range queries, series, rules and alerts, parsed.
/// </summary>
internal sealed class PrometheusServer(Process process, int port) : IAsyncDisposable
{
    /// <summary>The job name tests scrape Ingest under: it matches both Ingest's rules and the celery-mixin's <c>job=~".*celery.*"</c>.</summary>
    public const string DefaultJob = "celery-ingest";

    private readonly Process _process = process;
    private readonly ProcessOutput _output = new(process);

    public static string BinaryPath => Environment.GetEnvironmentVariable("INGEST_TEST_PROMETHEUS") is { Length: > 0 } p ? p : "/usr/bin/prometheus";

    public int Port => port;

    public HttpClient Client { get; } = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>What Prometheus logged (bounded), for assertion messages.</summary>
    public string Output => _output.ToString();

    /// <summary>
    /// A configuration that scrapes <paramref name="target"/> (host:port) as <paramref name="job"/> every
    /// <paramref name="interval"/> (1 s by default), evaluates rules as often, and loads <paramref name="ruleFiles"/>
    /// (absolute paths).
    /// </summary>
    public static string ScrapeConfig(string target, IEnumerable<string>? ruleFiles = null, string job = DefaultJob, TimeSpan? interval = null)
    {
        var every = $"{(int)(interval ?? TimeSpan.FromSeconds(1)).TotalMilliseconds}ms";
        var rules = string.Concat((ruleFiles ?? []).Select(f => $"\n  - {JsonSerializer.Serialize(f)}"));
        return $"""
            global:
              scrape_interval: {every}
              scrape_timeout: {every}
              evaluation_interval: {every}
            rule_files:{(rules.Length == 0 ? " []" : rules)}
            scrape_configs:
              - job_name: {JsonSerializer.Serialize(job)}
                static_configs:
                  - targets: [{JsonSerializer.Serialize(target)}]

            """;
    }

    /// <summary>Starts Prometheus with <paramref name="configYaml"/> (see <see cref="ScrapeConfig"/>) in <paramref name="dir"/>; returns once it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(TempDirectory dir, string configYaml)
    {
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException($"No Prometheus at {BinaryPath}: scripts/test installs Debian's prometheus package (apt-get install prometheus).");
        }

        var home = dir.File("prometheus");
        Directory.CreateDirectory(home);
        var config = Path.Combine(home, "prometheus.yml");
        await File.WriteAllTextAsync(config, configYaml);
        var port = TestPorts.FreeBlock(1);
        var psi = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        psi.ArgumentList.Add($"--config.file={config}");
        psi.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(home, "data")}");
        psi.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        // Samples are stamped with Prometheus' own clock: the real one, as for the suite's brokers (faketime moves
        // only the test process and Ingest, whose /metrics carries no timestamps).
        psi.Environment.Remove("LD_PRELOAD");
        psi.Environment.Remove("FAKETIME");
        var server = new PrometheusServer(Process.Start(psi)!, port);
        try
        {
            // Its log says when it serves: a signal, no polling.
            var exited = server._process.WaitForExitAsync();
            if (await Wait.ForAsync(Task.WhenAny(server._output.LineAsync("Server is ready to receive web requests"), exited), "prometheus to be ready") == exited)
            {
                throw new InvalidOperationException($"prometheus exited with {server._process.ExitCode} before it was ready: {server.Output}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An instant query at <paramref name="at"/> (now by default); a vector or scalar answer as samples.</summary>
    public async Task<IReadOnlyList<PromSample>> QueryAsync(string promql, DateTimeOffset? at = null)
    {
        var form = new Dictionary<string, string> { ["query"] = promql };
        if (at is { } t)
        {
            form["time"] = Unix(t);
        }

        var data = await PostAsync("/api/v1/query", form);
        var result = data.GetProperty("result");
        if (data.GetProperty("resultType").GetString() is "scalar" or "string")
        {
            return [new PromSample(new Dictionary<string, string>(), Number(result[1]))];
        }

        return [.. result.EnumerateArray().Select(s => new PromSample(Labels(s.GetProperty("metric")), Number(s.GetProperty("value")[1])))];
    }

    /// <summary>Prometheus' clock (the real one: a test under faketime must not use its own for query times).</summary>
    public async Task<DateTimeOffset> NowAsync() =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)((await QueryAsync("time()"))[0].Value * 1000));

    /// <summary>A range query, as a Grafana time-series panel runs one.</summary>
    public async Task<IReadOnlyList<PromSeries>> QueryRangeAsync(string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var data = await PostAsync("/api/v1/query_range", new Dictionary<string, string>
        {
            ["query"] = promql,
            ["start"] = Unix(start),
            ["end"] = Unix(end),
            ["step"] = step.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        });
        return [.. data.GetProperty("result").EnumerateArray().Select(s => new PromSeries(
            Labels(s.GetProperty("metric")),
            [.. s.GetProperty("values").EnumerateArray().Select(v => (v[0].GetDouble(), Number(v[1])))]))];
    }

    /// <summary>The label sets of the series <paramref name="match"/> selects (what Grafana's label_values reads).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> SeriesAsync(string match)
    {
        var data = await PostAsync("/api/v1/series", new Dictionary<string, string> { ["match[]"] = match });
        return [.. data.EnumerateArray().Select(Labels)];
    }

    /// <summary>/api/v1/rules: the rule groups loaded, each rule with its health, last error and last evaluation.</summary>
    public Task<JsonElement> RulesAsync() => GetAsync("/api/v1/rules", "groups");

    /// <summary>/api/v1/alerts: the alerts pending or firing.</summary>
    public Task<JsonElement> AlertsAsync() => GetAsync("/api/v1/alerts", "alerts");

    /// <summary>Polls <paramref name="promql"/> until <paramref name="condition"/> holds for its answer; returns that answer.</summary>
    public async Task<IReadOnlyList<PromSample>> WaitForAsync(string promql, Func<IReadOnlyList<PromSample>, bool> condition, string what, TimeSpan? timeout = null)
    {
        IReadOnlyList<PromSample> last = [];
        try
        {
            await Wait.UntilAsync(() => condition(last = QueryAsync(promql).GetAwaiter().GetResult()), what, timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; {promql} last gave [{string.Join("; ", last)}]", e);
        }

        return last;
    }

    /// <summary>Waits until every rule of every group loaded has been evaluated at least once since start.</summary>
    public Task WaitForRulesEvaluatedAsync(TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => RulesAsync().GetAwaiter().GetResult().EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .All(r => r.GetProperty("lastEvaluation").GetDateTimeOffset().Year > 2000), "every rule to be evaluated once", timeout);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM, as its service manager stops it: the TSDB closes its head block; kill -9 if it does not exit.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task<JsonElement> PostAsync(string path, Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await Client.PostAsync(path, content);
        return await DataAsync(response, $"{path} {form.GetValueOrDefault("query") ?? form.GetValueOrDefault("match[]")}");
    }

    private async Task<JsonElement> GetAsync(string path, string property)
    {
        using var response = await Client.GetAsync(path);
        return (await DataAsync(response, path)).GetProperty(property);
    }

    private static async Task<JsonElement> DataAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"prometheus refused {what}: {body}");
        }

        return doc.RootElement.GetProperty("data").Clone();
    }

    private static Dictionary<string, string> Labels(JsonElement metric) =>
        metric.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);

    private static double Number(JsonElement value) => value.GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var s => double.Parse(s!, CultureInfo.InvariantCulture),
    };

    private static string Unix(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture);
}
