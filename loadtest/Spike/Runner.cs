using System.Diagnostics;
using System.Globalization;

namespace Ingest.Spike;

/// <summary>Drives a profile against Ingest, prints one progress line a second, and checks the counters at the end.</summary>
public static class Runner
{
    public static async Task<int> RunAsync(Profile profile, ISender sender, IngestProbe probe, TaskTraffic traffic, TimeSpan drainTimeout, bool failOnDrops, CancellationToken cancellationToken)
    {
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = probe.SampleHealthAsync(sampling.Token);
        var start = await probe.ReadAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var due = 0.0;
        var lastReport = TimeSpan.Zero;
        var lastFlushed = start.Flushed;
        var lastTasks = 0L;
        long maxRss = start.RssBytes, maxBacklog = 0;
        var ramp = profile as RampProfile;
        var stepResults = new List<(double Target, double SentPerMin, double FlushedPerSec, long Drops, long Backlog)>();
        var stepStartDropped = start.Dropped;
        var stepStartFlushed = start.Flushed;
        var stepStartTasks = 0L;
        var stepStartTime = TimeSpan.Zero;
        var currentStep = 0;

        while (!cancellationToken.IsCancellationRequested && (profile.Length is not { } length || clock.Elapsed < length))
        {
            var elapsed = clock.Elapsed;
            due += profile.TasksPerMinute(elapsed) / 60.0 * 0.05;
            var n = (int)due;
            due -= n;
            if (n > 0)
            {
                await sender.SendAsync(traffic.Tasks(n, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0), cancellationToken);
            }

            if (elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                var c = await probe.ReadAsync(cancellationToken);
                var seconds = (elapsed - lastReport).TotalSeconds;
                maxRss = Math.Max(maxRss, c.RssBytes);
                maxBacklog = Math.Max(maxBacklog, c.Queued + c.InProgress);
                Console.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\r{elapsed:mm\\:ss} {profile.Phase(elapsed),-9} target {profile.TasksPerMinute(elapsed),7:N0}/min  sent {(traffic.TasksStarted - lastTasks) / seconds * 60,7:N0}/min  flushed {(c.Flushed - lastFlushed) / seconds,7:N0}/s  backlog {c.Queued + c.InProgress,7:N0}  dropped {c.Dropped - start.Dropped,6:N0}  rss {c.RssBytes / 1048576.0,5:F0} MiB  {c.Status,-8}"));
                lastFlushed = c.Flushed;
                lastTasks = traffic.TasksStarted;
                lastReport = elapsed;
                if (ramp is not null && ramp.StepAt(elapsed) != currentStep)
                {
                    var stepSeconds = (elapsed - stepStartTime).TotalSeconds;
                    stepResults.Add((ramp.TasksPerMinute(stepStartTime), (traffic.TasksStarted - stepStartTasks) / stepSeconds * 60,
                        (c.Flushed - stepStartFlushed) / stepSeconds, c.Dropped - stepStartDropped, c.Queued + c.InProgress));
                    stepStartDropped = c.Dropped;
                    stepStartFlushed = c.Flushed;
                    stepStartTasks = traffic.TasksStarted;
                    stepStartTime = elapsed;
                    currentStep = ramp.StepAt(elapsed);
                }
            }

            var sleep = TimeSpan.FromMilliseconds(50) - (clock.Elapsed - elapsed);
            if (sleep > TimeSpan.Zero)
            {
                await Task.Delay(sleep, cancellationToken);
            }
        }

        await sender.SendAsync(traffic.Flush(), CancellationToken.None);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine();

        // Drain: wait until everything sent is flushed (or dropped), within the budget.
        var drainClock = Stopwatch.StartNew();
        IngestProbe.Counters end;
        while (true)
        {
            end = await probe.ReadAsync(CancellationToken.None);
            maxRss = Math.Max(maxRss, end.RssBytes);
            if ((end.Queued + end.InProgress == 0 && end.InFlight == 0) || drainClock.Elapsed > drainTimeout)
            {
                break;
            }

            await Task.Delay(200, CancellationToken.None);
        }

        await sampling.CancelAsync();
        await sampler;
        var received = end.Received - start.Received;
        var flushed = end.Flushed - start.Flushed;
        var dropped = end.Dropped - start.Dropped;
        var queued = end.Queued + end.InProgress;
        var balanced = end.Received == end.Flushed + end.Dropped + queued;
        var (p50, p99, max, samples) = probe.HealthLatency();
        var served = end.ProbeCounts.Zip(start.ProbeCounts, (a, b) => a - b).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            tasks sent {traffic.TasksStarted:N0} in {sendSeconds:F0} s ({traffic.TasksStarted / sendSeconds * 60:N0}/min); invocations received {received:N0}, flushed {flushed:N0}, dropped {dropped:N0}, queued {queued:N0}; events rejected {end.EventsRejected - start.EventsRejected:N0}
            invariant received = flushed + dropped + queued: {(balanced ? "holds" : "BROKEN")} ({end.Received:N0} = {end.Flushed:N0} + {end.Dropped:N0} + {queued:N0})
            max RSS {maxRss / 1048576.0:F0} MiB; max backlog {maxBacklog:N0}; longest flush stall {end.MaxStallMs:F0} ms; drained in {drainClock.Elapsed.TotalSeconds:F1} s
            /healthz round trip over {samples} samples: p50 {p50:F2} ms, p99 {p99:F2} ms, max {max:F2} ms
            /healthz answered in Ingest (first middleware to end of handler) over {served.Sum()} probes: p50 <= {Bound(served, end.ProbeBoundsMs, 0.5)} ms, p99 <= {Bound(served, end.ProbeBoundsMs, 0.99)} ms, max since start {end.ProbeMaxMs:F2} ms; {Share(served, end.ProbeBoundsMs, 1.0):P2} within 1 ms
            """));
        if (ramp is not null && stepResults.Count > 0)
        {
            foreach (var step in stepResults)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  target {step.Target,7:N0}/min: sent {step.SentPerMin,7:N0} tasks/min, flushed {step.FlushedPerSec,6:N0} invocations/s, dropped {step.Drops:N0}, backlog at end {step.Backlog:N0}: {(step.Drops == 0 && step.Backlog < 20_000 ? "kept up" : "fell behind")}"));
            }

            // What was shown is what was sent and kept up with; past the generator's own ceiling the target is only a wish.
            var kept = stepResults.TakeWhile(s => s.Drops == 0 && s.Backlog < 20_000).ToList();
            var best = kept.Count == 0 ? default : kept.MaxBy(s => s.SentPerMin);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"highest rate sent and kept up with: {best.SentPerMin:N0} tasks/min ({best.FlushedPerSec:N0} invocations/s flushed){(kept.Count == stepResults.Count ? "; Ingest never fell behind: the generator on the same cores is the limit" : "")}"));
        }

        return !balanced ? 1 : failOnDrops && dropped > 0 ? 3 : 0;
    }

    /// <summary>The bucket bound under which <paramref name="quantile"/> of the probes were answered (buckets as Ingest reports them).</summary>
    private static string Bound(long[] counts, double[] bounds, double quantile)
    {
        var need = (long)Math.Ceiling(counts.Sum() * quantile);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= need)
            {
                return i < bounds.Length ? bounds[i].ToString(CultureInfo.InvariantCulture) : $"> {bounds[^1].ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return "n/a";
    }

    /// <summary>Share of probes answered within <paramref name="ms"/> (one of the bucket bounds).</summary>
    private static double Share(long[] counts, double[] bounds, double ms)
    {
        var total = counts.Sum();
        var within = counts.Take(Array.IndexOf(bounds, ms) + 1).Sum();
        return total == 0 ? 0 : (double)within / total;
    }
}
