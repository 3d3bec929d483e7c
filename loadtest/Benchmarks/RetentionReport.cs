using Ingest.Accounting;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Writing;
using Ingest.Tracking;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Benchmarks;

/// <summary>
/// <c>retention [--rows N] [--rate R]</c>: on a file holding one old day of N rows (default 1,000,000), measures
/// (a) the raw DROP TABLE of that day on one copy and (b) on another copy the real flush loop writing R
/// invocations per second (default 5,000) while its maintenance step drops the day and vacuums: the loop's
/// longest stall between commits, and the file size before and after. Prints a markdown table.
/// </summary>
public static class RetentionReport
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = Arg(args, "--rows", 1_000_000);
        var rate = Arg(args, "--rate", 5_000);
        var dir = Path.Combine(Path.GetTempPath(), "ingest-retention-bench");
        Directory.CreateDirectory(dir);
        var template = Path.Combine(dir, $"template-{rows}.db");
        var oldDay = DayPartition.FromTime(DateTimeOffset.UtcNow.AddDays(-10));
        if (!File.Exists(template))
        {
            Console.Error.WriteLine($"building a {rows:N0}-row day {oldDay} in {template} ...");
            using var seed = new InvocationWriter(new StorageOptions { DatabasePath = template });
            for (var done = 0; done < rows; done += 10_000)
            {
                seed.WriteBatch(SampleInvocations.Generate(Math.Min(10_000, rows - done), oldDay.StartUnixSeconds + 60 + (done * 0.0005), seed: done, prefix: "old"));
            }

            seed.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        var raw = RawDrop(template, Path.Combine(dir, "raw.db"), oldDay);
        var ingest = await IngestDropAsync(template, Path.Combine(dir, "ingest.db"), rate);

        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Retention of a {rows:N0}-row day while writing {rate:N0} invocations/s ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}, `dotnet run -c Release --project loadtest/Benchmarks -- retention --rows {rows} --rate {rate}`)")
            .AppendLine()
            .AppendLine("| measure | raw DROP TABLE | Ingest flush loop |")
            .AppendLine("|---|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| DROP of the day | {raw.Drop.TotalMilliseconds:F0} ms | {ingest.Drop.TotalMilliseconds:F0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| longest stall between two commits while records waited | n/a (no writes) | {ingest.MaxStall.TotalMilliseconds:F0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| stall ÷ DROP | | {ingest.MaxStall.TotalMilliseconds / Math.Max(1, ingest.Drop.TotalMilliseconds):F2} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| longest single vacuum step | n/a | {ingest.MaxVacuum.TotalMilliseconds:F0} ms ({ingest.VacuumSteps} steps) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| file before | {Mb(raw.Before)} | {Mb(ingest.Before)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| file after | {Mb(raw.After)} (no vacuum) | {Mb(ingest.After)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| invocations written during the run / dropped | | {ingest.Flushed:N0} / {ingest.Dropped} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| time until the file had shrunk | | {ingest.Elapsed.TotalSeconds:F1} s |");
        Console.WriteLine(report);
        return 0;
    }

    private static (TimeSpan Drop, long Before, long After) RawDrop(string template, string path, DayPartition day)
    {
        Copy(template, path);
        var before = new FileInfo(path).Length;
        using var c = SqliteConnections.OpenWriter(new StorageOptions { DatabasePath = path });
        var sw = Stopwatch.StartNew();
        using (var tx = c.BeginTransaction(deferred: false))
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"DROP TABLE {day.DetailsSql}; DROP TABLE {day.InvocationsSql};";
            cmd.ExecuteNonQuery();
            tx.Commit();
        }

        var drop = sw.Elapsed;
        using (var cp = c.CreateCommand())
        {
            cp.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            cp.ExecuteNonQuery();
        }

        return (drop, before, new FileInfo(path).Length);
    }

    private static async Task<(TimeSpan Drop, TimeSpan MaxStall, TimeSpan MaxVacuum, long VacuumSteps, long Before, long After, long Flushed, long Dropped, TimeSpan Elapsed)> IngestDropAsync(string template, string path, int rate)
    {
        Copy(template, path);
        var before = new FileInfo(path).Length;
        var time = TimeProvider.System;
        var storage = new StorageOptions { DatabasePath = path };
        var retention = new RetentionOptions();
        var status = new StorageStatus();
        var pipeline = new PipelineOptions();
        var counters = new IngestCounters();
        var channel = new InvocationChannel(pipeline, counters, time);
        var tracker = new TaskTracker(new TrackerOptions(), channel, counters, time);
        var state = new FlushLoopState(time);
        var maxVacuum = TimeSpan.Zero;
        using var loop = new FlushLoop(channel, tracker, () => new SqliteBatchWriter(storage, retention, status, time, NullLogger.Instance),
            pipeline, counters, state, time, NullLogger<FlushLoop>.Instance);
        await loop.StartAsync(CancellationToken.None);

        var sw = Stopwatch.StartNew();
        var i = 0;
        var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        while (!(status.PartitionsDroppedForRetention > 0 && status.Facts.FreelistPages == 0) && sw.Elapsed < TimeSpan.FromMinutes(30))
        {
            var due = (int)(sw.Elapsed.TotalSeconds * rate) - i;
            foreach (var r in SampleInvocations.Generate(Math.Max(0, due), start + (i * 0.0002), seed: i, prefix: "new"))
            {
                channel.Write(r);
            }

            i += Math.Max(0, due);
            maxVacuum = status.LastVacuumDuration > maxVacuum ? status.LastVacuumDuration : maxVacuum;
            await Task.Delay(10);
        }

        var elapsed = sw.Elapsed;
        await loop.StopAsync(CancellationToken.None);
        SqliteConnection.ClearAllPools();
        return (status.LastDropDuration, state.MaxStall, maxVacuum, status.VacuumSteps, before, new FileInfo(path).Length + WalLength(path),
            counters.InvocationsFlushed, counters.DroppedTotal, elapsed);
    }

    private static long WalLength(string path) => File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0;

    private static void Copy(string template, string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }

        File.Copy(template, path);
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
