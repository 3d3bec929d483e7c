using Ingest.Accounting;
using System.Text.Json;
using Ingest.Hosting;
using Ingest.Pipeline;
using Ingest.Sources.Replay;
using Microsoft.Extensions.Options;

namespace Ingest.Cli;

/// <summary>Runs a replay on a host without HTTP, drains it, and prints the counters.</summary>
internal static class ReplayVerb
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(FileInfo input, IReadOnlyDictionary<string, string?> settings, IEnumerable<SettingOption> flags, bool json, bool shiftToNow, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder([IngestApp.NoConfigReload]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddSingleton<ReplayRunner>();
        IHost host;
        Ingest.Storage.DatabaseLock owner;
        try
        {
            host = builder.Build();
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            owner = Ingest.Storage.DatabaseLock.Acquire(host.Services.GetRequiredService<Ingest.Storage.StorageOptions>().DatabasePath, "replay", TimeProvider.System);
        }
        catch (Exception e) when (IngestCli.ReportConfigurationError(e, "ingest replay", flags) is { } code)
        {
            return code;
        }
        catch (Ingest.Storage.DatabaseLockedException e)
        {
            await Console.Error.WriteLineAsync($"ingest replay: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using var held = owner;
        await host.StartAsync(cancellationToken).ConfigureAwait(false);

        var started = TimeProvider.System.GetTimestamp();
        var runner = host.Services.GetRequiredService<ReplayRunner>();
        if (shiftToNow && !runner.ShiftToEnd(input, host.Services.GetRequiredService<TimeProvider>().GetUtcNow()))
        {
            await Console.Error.WriteLineAsync("ingest replay: --shift-to-now needs captured_at on the capture's lines; replaying unshifted").ConfigureAwait(false);
        }

        // Read as bytes, not text (issue 29): the replay's producer then does the work a broker source does.
        using (var stream = new FileStream(input.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            await runner.RunAsync(stream, cancellationToken).ConfigureAwait(false);
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

        if (OldDaysNote(host.Services) is { } note)
        {
            await Console.Error.WriteLineAsync(note).ConfigureAwait(false);
        }

        var storage = host.Services.GetRequiredService<Ingest.Storage.Maintenance.StorageStatus>();
        var daysDropped = storage.PartitionsDroppedForRetention + storage.PartitionsDroppedForPressure;
        host.Dispose();
        if (daysDropped > 0)
        {
            // --apply-retention: what was flushed is not all still stored, and the exit code must not say it is.
            await Console.Error.WriteLineAsync($"ingest replay: {daysDropped} day(s) were dropped by retention while replaying; what they held is not stored").ConfigureAwait(false);
            return 1;
        }

        if (!balanced || loop.Status == FlushLoopStatus.Failed || counters.DroppedTotal > 0)
        {
            await Console.Error.WriteLineAsync($"ingest replay: not everything was stored (flush loop {loop.Status}, {counters.DroppedTotal} dropped, last error: {loop.LastError})").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    /// <summary>What the next <c>serve</c> will do with this file's old days, said before it does it.</summary>
    private static string? OldDaysNote(IServiceProvider services)
    {
        var retention = services.GetRequiredService<Ingest.Storage.Retention.RetentionOptions>();
        if (retention.DropDays)
        {
            return null;
        }

        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var keepFrom = today.AddDays(-(retention.Days - 1));
        // From the file's catalog (metadata only): the published facts may predate the drain's last commit.
        var path = services.GetRequiredService<Ingest.Storage.StorageOptions>().DatabasePath;
        if (!File.Exists(path))
        {
            // With --clickhouse the file holds no task data, and replay never creates it (issue 26).
            return null;
        }

        var old = Ingest.Storage.Maintenance.DatabaseInfo.Read(path).Partitions
            .Select(p => Ingest.Storage.Partitions.DayPartition.TryParseInvocationsTable(Ingest.Storage.Partitions.DayPartition.InvocationsPrefix + p.Name, out var day) ? day.Day : DateOnly.MaxValue)
            .Where(d => d < keepFrom).ToList();
        if (old.Count == 0)
        {
            return null;
        }

        var keep = today.DayNumber - old.Min().DayNumber + 1;
        return $"note: {old.Count} day(s) of this file ({string.Join(", ", old.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))}) "
            + $"are older than the {retention.Days}-day retention: the next serve on it drops them at its first maintenance step. "
            + $"To keep them, serve with --retention-days {keep} or more (or replay with --shift-to-now).";
    }
}
