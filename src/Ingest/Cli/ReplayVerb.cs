using System.Text.Json;
using Ingest.Diagnostics;
using Ingest.Hosting;
using Ingest.Pipeline;
using Ingest.Sources.Replay;
using Microsoft.Extensions.Options;

namespace Ingest.Cli;

/// <summary>Runs a replay on a host without HTTP, drains it, and prints the counters.</summary>
internal static class ReplayVerb
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(FileInfo input, IReadOnlyDictionary<string, string?> settings, bool json, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder([IngestApp.NoConfigReload]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddSingleton<ReplayRunner>();
        IHost host;
        try
        {
            host = builder.Build();
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"ingest replay: invalid configuration: {string.Join("; ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }

        var started = TimeProvider.System.GetTimestamp();
        var runner = host.Services.GetRequiredService<ReplayRunner>();
        using (var reader = input.OpenText())
        {
            await runner.RunAsync(reader, cancellationToken).ConfigureAwait(false);
        }

        // Stopping drains: unfinished tasks are written with their last state, then the channel is emptied.
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        var counters = host.Services.GetRequiredService<IngestCounters>();
        var loop = host.Services.GetRequiredService<FlushLoopState>();
        var channel = host.Services.GetRequiredService<InvocationChannel>();
        var queued = channel.Count + loop.InProgress;
        var balanced = counters.InvocationsReceived == counters.InvocationsFlushed + counters.DroppedTotal + queued;
        var summary = new
        {
            file = input.FullName,
            elapsed_s = Math.Round(elapsed.TotalSeconds, 3),
            messages = counters.Messages,
            bad_lines = runner.BadLines,
            events_accepted = counters.AcceptedByType(),
            events_rejected = counters.RejectedByReason(),
            events_repaired = counters.RepairedByKind(),
            invocations_received = counters.InvocationsReceived,
            invocations_flushed = counters.InvocationsFlushed,
            invocations_dropped = counters.DroppedByReason(),
            invocations_queued = queued,
            written_before_finish = counters.EarlyWritesByReason(),
            flush_loop = loop.Status.ToString().ToLowerInvariant(),
            last_error = loop.LastError,
            balanced,
        };

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(summary, s_indented));
        }
        else
        {
            Console.WriteLine($"replayed {counters.Messages} messages from {input.Name} in {elapsed.TotalSeconds:F2} s: "
                + $"{counters.EventsAcceptedTotal} events accepted, {counters.EventsRejectedTotal} rejected, {runner.BadLines} bad lines");
            Console.WriteLine($"invocations: received {counters.InvocationsReceived}, flushed {counters.InvocationsFlushed}, "
                + $"dropped {counters.DroppedTotal}, queued {queued}; unfinished written with last state {counters.EarlyWrites(EarlyWriteReason.Shutdown)}");
            foreach (var (reason, count) in counters.RejectedByReason().Where(kv => kv.Value > 0))
            {
                Console.WriteLine($"  rejected {reason}: {count}");
            }
        }

        host.Dispose();
        if (!balanced || loop.Status == FlushLoopStatus.Failed || counters.DroppedTotal > 0)
        {
            await Console.Error.WriteLineAsync($"ingest replay: not everything was stored (flush loop {loop.Status}, {counters.DroppedTotal} dropped, last error: {loop.LastError})").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
