using System.Diagnostics;
using System.Globalization;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;

namespace Ingest.Benchmarks;

/// <summary>
/// The fill ratio (issue 29): `-- writerfill [--rows 10000000] [--step 1000000] [--batch 2000] [--dir DIR]
/// [--templates-db FILE] [--stride 15] [--cgroup DIR] [--cache-kib N] [--mmap-mib N] [--no-search]`. One new file, one day, filled from empty by the product's
/// writer alone (<see cref="InvocationWriter"/>, details, search index and rollups on, one transaction per batch, the
/// batch prepared outside the timing as the service's producer prepares it), timing every step of <c>--step</c>
/// rows: the rate of the last step over the first is the fill ratio. Unlike <see cref="FillCurveReport"/>, no row
/// is written by anything but the writer, so the day's indexes and the page cache are exactly what a day of
/// flushing leaves (which is what a memory limit that also caps the page cache presses on).
/// </summary>
/// <remarks>
/// Rows: with <c>--templates-db</c>, every <c>--stride</c>-th invocation a replay stored in that file (the spike
/// capture's mix: its names, states, workers, args, kwargs, results and tracebacks), cycled, each copy with a new
/// random UUID task id and its times moved onto the day; without it, <see cref="SampleInvocations"/>. The writer's
/// clock stands three hours into the day, so the minute rollups are written as for live traffic. With
/// <c>--cgroup</c>, each step also reads that memory cgroup's rss, page cache and major faults.
/// </remarks>
internal static class WriterFillReport
{
    private static readonly DayPartition Day = new(new DateOnly(2026, 11, 22));

    public static int Run(string[] args)
    {
        var rows = (long)Number(args, "--rows", 10_000_000);
        var step = (long)Number(args, "--step", 1_000_000);
        var batchSize = (int)Number(args, "--batch", 2000);
        var stride = (int)Number(args, "--stride", 15);
        var dir = Text(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "ingest-writerfill");
        var cgroup = Text(args, "--cgroup");
        var templatesDb = Text(args, "--templates-db");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "day.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }

        var templates = templatesDb is null
            ? SampleInvocations.Generate(20_000, 0, seed: 1)
            : PipelineRatioReport.ReadBack(templatesDb, stride).SelectMany(d => d.Records).ToList();
        var rowsSource = templatesDb is null ? "SampleInvocations (20,000, seed 1)" : $"one in every {stride} invocations stored in {templatesDb} ({templates.Count:N0})";
        Console.Error.WriteLine($"writerfill: {rows:N0} rows into {path}; templates: {rowsSource}");

        // --cache-kib and --mmap-mib: what the pread of pages the writer cache does not hold costs (both off the service's defaults).
        var options = new StorageOptions { DatabasePath = path, WriterCacheKiB = (int)Number(args, "--cache-kib", new StorageOptions().WriterCacheKiB) };
        // --no-search: the same fill without the day's full-text index, to tell its merges' share of a bend from the rest's.
        options.SearchIndex = !args.Contains("--no-search");
        var mmapMiB = (long)Number(args, "--mmap-mib", 0);
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds((long)Day.StartUnixSeconds + (3 * 3600)));
        using var writer = new InvocationWriter(options, clock);
        writer.EnsurePartition(Day);
        if (mmapMiB > 0)
        {
            writer.Execute($"PRAGMA mmap_size = {mmapMiB * 1024 * 1024}");
        }

        var steps = new List<Step>();
        var watch = new Stopwatch();
        var longest = 0.0;
        var io = ProcessIo.Read();
        var faults = CgroupMemory.Read(cgroup).MajorFaults;
        var wall = Stopwatch.StartNew();
        var cpu = default(ThreadCpu);
        for (long done = 0; done < rows;)
        {
            var batch = new PreparedWrite[(int)Math.Min(batchSize, rows - done)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = PreparedWrite.Of(Copy(templates[(int)((done + i) % templates.Count)], done + i), writer.Groups);
            }

            var before = watch.Elapsed;
            var cpuBefore = ThreadCpu.Read();
            watch.Start();
            writer.WriteBatch(batch);
            watch.Stop();
            cpu = cpu.Add(cpuBefore, ThreadCpu.Read());
            longest = Math.Max(longest, (watch.Elapsed - before).TotalMilliseconds);
            done += batch.Length;
            if (done % step == 0 || done == rows)
            {
                var now = ProcessIo.Read();
                var memory = CgroupMemory.Read(cgroup);
                var previous = steps.Count == 0 ? 0 : steps[^1].Rows;
                var s = new Step(done, (done - previous) / watch.Elapsed.TotalSeconds, longest,
                    cpu, now.ReadBytes - io.ReadBytes, now.WriteBytes - io.WriteBytes, memory, memory.MajorFaults - faults, FileBytes(path)) { PreviousRows = previous };
                steps.Add(s);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {done:N0}: {s.Rate:N0} rows/s, {s.CpuRate:N0} rows per CPU s (user {s.Cpu.UserSeconds:F1} s, sys {s.Cpu.SystemSeconds:F1} s), longest batch {longest:N0} ms, read {s.ReadBytes / 1e6:N0} MB, written {s.WriteBytes / 1e6:N0} MB, {s.MemoryText}, file {s.FileBytes / 1e9:F2} GB, {wall.Elapsed.TotalSeconds:F0} s"));
                io = now;
                faults = memory.MajorFaults;
                watch.Reset();
                cpu = default;
                longest = 0;
            }
        }

        Console.WriteLine(Table(steps, batchSize, rowsSource, cgroup is not null, options.WriterCacheKiB, mmapMiB, args, options.SearchIndex));
        return 0;
    }

    /// <summary>The template as the n-th row of the fill: a new task id, its times moved so that it finishes n × 0.8 ms into the day.</summary>
    private static InvocationRecord Copy(InvocationRecord t, long n)
    {
        var at = Day.StartUnixSeconds + 60 + (n * 0.0008);
        var shift = at - t.PartitionTime;
        var id = Guid.NewGuid().ToString("D");
        return t with
        {
            TaskId = id,
            StateAt = t.StateAt + shift,
            SentAt = t.SentAt + shift,
            ReceivedAt = t.ReceivedAt + shift,
            StartedAt = t.StartedAt + shift,
            FinishedAt = t.FinishedAt + shift,
            RootId = t.RootId == t.TaskId ? id : t.RootId,
        };
    }

    private static long FileBytes(string path) => Size(path) + Size(path + "-wal");

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Table(List<Step> steps, int batchSize, string rowsSource, bool cgroup, int cacheKiB, long mmapMiB, string[] args, bool search)
    {
        var first = steps[0].Rate;
        var firstCpu = steps[0].CpuRate;
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Ingest's writer filling one day from empty ({Environment.ProcessorCount} cores; {batchSize:N0}-row batches, one transaction each; details{(search ? ", search index" : "")} and rollups on{(search ? "" : ", no search index")})");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Rows: {rowsSource}, each with a new random UUID task id. Writer page cache {cacheKiB / 1024} MiB, mmap {(mmapMiB > 0 ? $"{mmapMiB} MiB" : "off")}, WAL, synchronous=NORMAL (the service's defaults: 32 MiB, off).");
        sb.AppendLine();
        sb.AppendLine("| rows in the day after the step | rows/s in the step (wall) | / first step | rows per CPU s of the writing thread | / first step | its CPU s, user / sys | longest batch (ms) | disk read (MB) | disk written (MB) | cgroup rss / cache at the step's end (MiB), major faults in the step | file + WAL (GB) |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var s in steps)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {s.Rows:N0} | {s.Rate:N0} | {s.Rate / first:F2} | {s.CpuRate:N0} | {s.CpuRate / firstCpu:F2} | {s.Cpu.UserSeconds:F1} / {s.Cpu.SystemSeconds:F1} | {s.LongestMs:N0} | {s.ReadBytes / 1e6:N0} | {s.WriteBytes / 1e6:N0} | {(cgroup ? s.MemoryText : "-")} | {s.FileBytes / 1e9:F2} |");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Fill ratio (last step over the first): **{steps[^1].Rate / first:F2}** in wall time, **{steps[^1].CpuRate / firstCpu:F2}** in the writing thread's CPU time.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `dotnet loadtest/Benchmarks/bin/Release/net10.0/Ingest.Benchmarks.dll writerfill {string.Join(' ', args)}`.");
        return sb.ToString();
    }

    private static string? Text(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Number(string[] args, string name, double fallback) =>
        Text(args, name) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private sealed record Step(long Rows, double Rate, double LongestMs, ThreadCpu Cpu, long ReadBytes, long WriteBytes, CgroupMemory Memory, long MajorFaults, long FileBytes)
    {
        /// <summary>Rows per second of the writing thread's own CPU time: what the machine's other load does not change much.</summary>
        public double CpuRate => Cpu.Seconds > 0 ? (Rows - PreviousRows) / Cpu.Seconds : 0;

        public long PreviousRows { get; init; }

        public string MemoryText => string.Create(CultureInfo.InvariantCulture, $"{Memory.Rss / 1048576.0:N0} / {Memory.Cache / 1048576.0:N0}, {MajorFaults:N0}");
    }

    /// <summary>A clock that stands still: the writer only asks it where the minute rollups start.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>
    /// The calling thread's CPU time (/proc/thread-self: schedstat's nanoseconds on a CPU, and stat's user and
    /// system split in clock ticks of 10 ms, exact enough summed over a step). Zero where there is no /proc.
    /// </summary>
    private readonly record struct ThreadCpu(long Nanoseconds, long UserTicks, long SystemTicks)
    {
        public double Seconds => Nanoseconds / 1e9;

        public double UserSeconds => UserTicks / 100.0;

        public double SystemSeconds => SystemTicks / 100.0;

        public static ThreadCpu Read()
        {
            if (!File.Exists("/proc/thread-self/schedstat"))
            {
                return default;
            }

            var ns = long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture);
            // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is the 14th field, stime the 15th.
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return new ThreadCpu(ns, long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture));
        }

        /// <summary>This total plus what the thread used since <paramref name="start"/>.</summary>
        public ThreadCpu Add(ThreadCpu start, ThreadCpu end) =>
            new(Nanoseconds + end.Nanoseconds - start.Nanoseconds, UserTicks + end.UserTicks - start.UserTicks, SystemTicks + end.SystemTicks - start.SystemTicks);
    }

    /// <summary>This process's storage I/O so far (/proc/self/io: bytes that went to or came from the disk, not the page cache).</summary>
    private readonly record struct ProcessIo(long ReadBytes, long WriteBytes)
    {
        public static ProcessIo Read()
        {
            if (!File.Exists("/proc/self/io"))
            {
                return default;
            }

            var fields = File.ReadAllLines("/proc/self/io").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
            return new ProcessIo(fields["read_bytes"], fields["write_bytes"]);
        }
    }

    /// <summary>A cgroup v1 memory controller's rss and page cache now, and its major faults so far (all zero without one).</summary>
    private readonly record struct CgroupMemory(long Rss, long Cache, long MajorFaults)
    {
        public static CgroupMemory Read(string? dir)
        {
            if (dir is null || !File.Exists(Path.Combine(dir, "memory.stat")))
            {
                return default;
            }

            var stat = File.ReadAllLines(Path.Combine(dir, "memory.stat")).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
            return new CgroupMemory(stat["total_rss"], stat["total_cache"], stat["total_pgmajfault"]);
        }
    }
}
