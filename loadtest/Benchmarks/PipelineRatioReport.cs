using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// Issue 17's end-to-end ratio: <c>ingest replay</c> of a capture (read, decode, track, channel, flush: rows,
/// details, search index and rollups) against a minimal loop doing the same SQL work on the same invocations,
/// in one run, alternating. The minimal loop is handed the invocations Ingest stored (read back from its file,
/// outside the timing) and writes them into a fresh file of the same schema: a prepared INSERT of the row, its
/// details and its search entry per invocation, and per batch one count upsert per task and hour, per task,
/// queue, worker group and hour, and per failure key: the rollups without their histograms, so its work is a
/// little lighter than Ingest's and the ratio errs against Ingest. Both write 2,000-row transactions with the
/// same pragmas and page cache. The replay runs as its own process, as operators run it, with the container
/// image's GC setting.
/// </summary>
internal static class PipelineRatioReport
{
    public static int Run(string[] args)
    {
        string? capture = null;
        var rounds = 2;
        var batchSize = 2000;
        var dir = Path.Combine(Path.GetTempPath(), $"pipeline-ratio-{Environment.ProcessId}");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--capture": capture = args[++i]; break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch-size": batchSize = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[++i]; break;
                default:
                    Console.Error.WriteLine($"pipeline: unknown argument {args[i]}; usage: pipeline --capture FILE [--rounds 2] [--batch-size 2000] [--dir DIR]");
                    return 2;
            }
        }

        if (capture is null || !File.Exists(capture))
        {
            Console.Error.WriteLine("pipeline: --capture FILE is required (make one with: dotnet run -c Release --project loadtest/Spike -- capture --tasks 300000 --out capture.jsonl)");
            return 2;
        }

        Directory.CreateDirectory(dir);
        List<(DayPartition Day, List<InvocationRecord> Records)>? stored = null;
        Console.WriteLine($"capture {capture}; {rounds} rounds; {batchSize} rows per transaction; files in {dir}");
        Console.WriteLine("| round | Ingest replay, invocations stored/s | (records flushed/s) | minimal loop, same invocations/s | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var ingestDb = Path.Combine(dir, $"ingest-{round}.db");
            var rawDb = Path.Combine(dir, $"raw-{round}.db");
            Delete(ingestDb);
            Delete(rawDb);

            var (elapsed, flushed) = Replay(capture, ingestDb, batchSize);
            stored ??= ReadBack(ingestDb);
            var rows = CountRows(ingestDb);
            var raw = MinimalLoop(stored, rawDb, batchSize);
            var count = stored.Sum(d => d.Records.Count);
            var ingestRate = rows / elapsed;
            var rawRate = count / raw.TotalSeconds;
            ratios.Add(ingestRate / rawRate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {round} | {ingestRate:N0} ({rows:N0} in {elapsed:F1} s) | {flushed / elapsed:N0} | {rawRate:N0} ({count:N0} in {raw.TotalSeconds:F1} s) | {ingestRate / rawRate:F2} |"));
            Delete(ingestDb);
            Delete(rawDb);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio per round: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; median {ratios.Order().ElementAt(ratios.Count / 2):F2}"));
        return 0;
    }

    private static (double ElapsedSeconds, long Flushed) Replay(string capture, string db, int batchSize)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ingest.dll"), "replay", capture, "--db", db, "--json", "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_GCgen0size"] = "0x1000000"; // as the Dockerfile and launchSettings.json start it
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"replay exited {process.ExitCode}: {stderr.Result}");
        }

        var summary = JsonDocument.Parse(output).RootElement;
        if (!summary.GetProperty("balanced").GetBoolean() || summary.GetProperty("invocations_dropped").EnumerateObject().Sum(p => p.Value.GetInt64()) != 0)
        {
            throw new InvalidOperationException($"replay dropped or did not balance: {output}");
        }

        return (summary.GetProperty("elapsed_s").GetDouble(), summary.GetProperty("invocations_flushed").GetInt64());
    }

    private static List<string> Days(SqliteConnection c)
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'invocations_[0-9]*' ORDER BY name";
        using var reader = command.ExecuteReader();
        var days = new List<string>();
        while (reader.Read())
        {
            days.Add(reader.GetString(0)["invocations_".Length..]);
        }

        return days;
    }

    private static long CountRows(string db)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        long rows = 0;
        foreach (var day in Days(c))
        {
            using var command = c.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM invocations_{day}";
            rows += (long)command.ExecuteScalar()!;
        }

        return rows;
    }

    /// <summary>
    /// Every invocation Ingest stored (every <paramref name="stride"/>-th by row id), with its details, day by day in
    /// the order it wrote them.
    /// </summary>
    internal static List<(DayPartition Day, List<InvocationRecord> Records)> ReadBack(string db, int stride = 1)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        var days = new List<(DayPartition, List<InvocationRecord>)>();
        foreach (var day in Days(c))
        {
            var records = new List<InvocationRecord>();
            days.Add((new DayPartition(DateOnly.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture)), records));
            using var command = c.CreateCommand();
            command.CommandText = $"""
                SELECT i.task_id, i.name, i.state, i.worker, i.queue, i.sent_at, i.received_at, i.started_at, i.finished_at, i.state_at,
                       i.runtime_s, i.retries, i.exception_type, i.exception, i.parent_id, i.root_id, d.args, d.kwargs, d.result, d.traceback
                FROM invocations_{day} i LEFT JOIN invocation_details_{day} d ON d.id = i.id WHERE i.id % {stride} = 0 ORDER BY i.id
                """;
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                records.Add(new InvocationRecord
                {
                    TaskId = r.GetString(0), Name = Text(r, 1), State = r.GetString(2), Worker = Text(r, 3), Queue = Text(r, 4),
                    SentAt = Num(r, 5), ReceivedAt = Num(r, 6), StartedAt = Num(r, 7), FinishedAt = Num(r, 8), StateAt = r.GetDouble(9),
                    RuntimeSeconds = Num(r, 10), Retries = r.GetInt32(11), Exception = Text(r, 13), // exception_type (12) is derived from it
                    ParentId = Text(r, 14), RootId = Text(r, 15), Args = Text(r, 16), Kwargs = Text(r, 17), Result = Text(r, 18), Traceback = Text(r, 19),
                });
            }
        }

        return days;

        static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        static double? Num(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
    }

    private static TimeSpan MinimalLoop(List<(DayPartition Day, List<InvocationRecord> Records)> days, string db, int batchSize)
    {
        var clock = Stopwatch.StartNew();
        foreach (var (day, records) in days)
        {
            using var loop = new RawInsertLoop(db, day, search: true);
            // The day's full-text table, as Ingest makes it (RawInsertLoop's schema leaves it out).
            using (var create = loop.Connection.CreateCommand())
            {
                create.CommandText = PartitionSchema.CreateSql(day, search: true);
                create.ExecuteNonQuery();
            }

            using var rollups = new CountRollups(loop.Connection, day);
            foreach (var batch in records.Chunk(batchSize))
            {
                loop.WriteBatch(batch, rollups.Write);
            }
        }

        return clock.Elapsed;
    }

    /// <summary>The rollups' SQL without their histograms: one count upsert per key of the batch, in its transaction.</summary>
    private sealed class CountRollups : IDisposable
    {
        private readonly SqliteCommand _task;
        private readonly SqliteCommand _group;
        private readonly SqliteCommand _failure;
        private readonly SqliteCommand _failureGroup;
        private readonly Dictionary<(string Name, long Hour), (long Total, long Success, long Failure, double RuntimeSum)> _tasks = [];
        private readonly Dictionary<(string Name, string Queue, string Group, long Hour), (long Total, long Success, long Failure, double RuntimeSum)> _groups = [];
        private readonly Dictionary<(string Name, string Type, long Hour), long> _failures = [];
        private readonly Dictionary<(string Name, string Type, string Queue, string Group, long Hour), long> _failureGroups = [];

        public CountRollups(SqliteConnection c, DayPartition day)
        {
            _task = Prepare(c, $"INSERT INTO {day.TaskHoursSql} (name, hour, total, success, failure, runtime_sum) VALUES ($1, $2, $3, $4, $5, $6) "
                + "ON CONFLICT (name, hour) DO UPDATE SET total = total + excluded.total, success = success + excluded.success, failure = failure + excluded.failure, runtime_sum = runtime_sum + excluded.runtime_sum", 6);
            _group = Prepare(c, $"INSERT INTO {day.GroupHoursSql} (name, queue, worker_group, hour, total, success, failure, runtime_sum) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                + "ON CONFLICT (name, queue, worker_group, hour) DO UPDATE SET total = total + excluded.total, success = success + excluded.success, failure = failure + excluded.failure, runtime_sum = runtime_sum + excluded.runtime_sum", 8);
            _failure = Prepare(c, $"INSERT INTO {day.FailureHoursSql} (name, exception_type, hour, count) VALUES ($1, $2, $3, $4) "
                + "ON CONFLICT (name, exception_type, hour) DO UPDATE SET count = count + excluded.count", 4);
            _failureGroup = Prepare(c, $"INSERT INTO {day.FailureGroupsSql} (name, exception_type, queue, worker_group, hour, count) VALUES ($1, $2, $3, $4, $5, $6) "
                + "ON CONFLICT (name, exception_type, queue, worker_group, hour) DO UPDATE SET count = count + excluded.count", 6);
        }

        public void Write(SqliteTransaction tx, IReadOnlyList<InvocationRecord> batch)
        {
            foreach (var r in batch)
            {
                var name = r.Name ?? "";
                var hour = (long)Math.Floor(r.StateAt / 3600);
                var success = r.State == TaskStates.Success ? 1 : 0;
                var failure = r.State == TaskStates.Failure ? 1 : 0;
                var runtime = r.RuntimeSeconds ?? 0;
                var queue = r.Queue ?? "";
                var group = WorkerGroups.Default.Of(r.Worker);
                var t = _tasks.GetValueOrDefault((name, hour));
                _tasks[(name, hour)] = (t.Total + 1, t.Success + success, t.Failure + failure, t.RuntimeSum + runtime);
                var g = _groups.GetValueOrDefault((name, queue, group, hour));
                _groups[(name, queue, group, hour)] = (g.Total + 1, g.Success + success, g.Failure + failure, g.RuntimeSum + runtime);
                if (failure == 1)
                {
                    var type = r.ExceptionType ?? "";
                    _failures[(name, type, hour)] = _failures.GetValueOrDefault((name, type, hour)) + 1;
                    _failureGroups[(name, type, queue, group, hour)] = _failureGroups.GetValueOrDefault((name, type, queue, group, hour)) + 1;
                }
            }

            foreach (var ((name, hour), v) in _tasks)
            {
                Run(_task, tx, name, hour, v.Total, v.Success, v.Failure, v.RuntimeSum);
            }

            foreach (var ((name, queue, group, hour), v) in _groups)
            {
                Run(_group, tx, name, queue, group, hour, v.Total, v.Success, v.Failure, v.RuntimeSum);
            }

            foreach (var ((name, type, hour), n) in _failures)
            {
                Run(_failure, tx, name, type, hour, n);
            }

            foreach (var ((name, type, queue, group, hour), n) in _failureGroups)
            {
                Run(_failureGroup, tx, name, type, queue, group, hour, n);
            }

            _tasks.Clear();
            _groups.Clear();
            _failures.Clear();
            _failureGroups.Clear();
        }

        private static SqliteCommand Prepare(SqliteConnection c, string sql, int parameters)
        {
            var command = c.CreateCommand();
            command.CommandText = sql;
            for (var i = 1; i <= parameters; i++)
            {
                command.Parameters.Add(new SqliteParameter("$" + i, DBNull.Value));
            }

            return command;
        }

        private static void Run(SqliteCommand command, SqliteTransaction tx, params object[] values)
        {
            command.Transaction = tx;
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }

            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _task.Dispose();
            _group.Dispose();
            _failure.Dispose();
            _failureGroup.Dispose();
        }
    }

    private static void Delete(string db)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal", ".lock" })
        {
            File.Delete(db + suffix);
        }
    }
}
