using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ingest.Spike;

/// <summary>Reads Ingest's own counters from /api/ingest, and samples /healthz latency.</summary>
public sealed class IngestProbe(Uri target) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = target, Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<double> _healthMs = [];

    public record Counters(long Received, long Flushed, long Dropped, long Queued, long InProgress, long RssBytes, long InFlight, double MaxStallMs, string Status, long EventsRejected, long[] ProbeCounts, double[] ProbeBoundsMs, double ProbeMaxMs);

    private Counters? _last;

    /// <summary>
    /// Ingest's counters; while it does not answer (a kill -9 test restarts it), the last ones read, marked down,
    /// so a run over AMQP carries on publishing through the outage.
    /// </summary>
    public async Task<Counters> ReadAsync(CancellationToken cancellationToken)
    {
        JsonElement r;
        try
        {
            r = await _http.GetFromJsonAsync<JsonElement>("/api/ingest", cancellationToken);
        }
        catch (HttpRequestException) when (_last is not null)
        {
            return _last with { Status = "DOWN" };
        }

        return _last = Parse(r);
    }

    private static Counters Parse(JsonElement r)
    {
        var inv = r.GetProperty("invocations");
        var dropped = inv.GetProperty("dropped").EnumerateObject().Sum(p => p.Value.GetInt64());
        var backlog = r.GetProperty("backlog");
        return new Counters(
            inv.GetProperty("received").GetInt64(), inv.GetProperty("flushed").GetInt64(), dropped,
            backlog.GetProperty("queued").GetInt64(), backlog.GetProperty("in_progress").GetInt64(),
            r.GetProperty("process").GetProperty("rss_bytes").GetInt64(), r.GetProperty("tracker").GetProperty("in_flight").GetInt64(),
            r.GetProperty("flush_loop").GetProperty("max_stall_ms").GetDouble(), r.GetProperty("status").GetString()!,
            r.GetProperty("events").GetProperty("rejected").EnumerateObject().Sum(p => p.Value.GetInt64()),
            [.. r.GetProperty("probes").GetProperty("bucket_counts").EnumerateArray().Select(c => c.GetInt64())],
            [.. r.GetProperty("probes").GetProperty("bucket_bounds_ms").EnumerateArray().Select(c => c.GetDouble())],
            r.GetProperty("probes").GetProperty("max_ms").GetDouble());
    }

    /// <summary>Samples GET /healthz every 100 ms until cancelled (round trip measured here, on loopback).</summary>
    public async Task SampleHealthAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var sw = Stopwatch.StartNew();
            try
            {
                using var response = await _http.GetAsync(new Uri("/healthz", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                lock (_healthMs)
                {
                    _healthMs.Add(sw.Elapsed.TotalMilliseconds);
                }

                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // Down (being restarted): not a latency sample.
                await Task.Delay(100, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public (double P50, double P99, double Max, int Count) HealthLatency()
    {
        lock (_healthMs)
        {
            if (_healthMs.Count == 0)
            {
                return (0, 0, 0, 0);
            }

            var sorted = _healthMs.Order().ToArray();
            return (sorted[sorted.Length / 2], sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.99) - 1)], sorted[^1], sorted.Length);
        }
    }

    public void Dispose() => _http.Dispose();
}
