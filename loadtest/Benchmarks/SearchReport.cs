using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// Value-search latency at 1M and 10M stored invocations (`-- search [--days 10] [--rows-per-day 1000000]`).
/// Day one is written through Ingest's writer (search index on); the other days are copies of it made inside
/// SQLite (new task ids, times shifted a day each; the triggers index them as a flush would), so 10M rows take
/// minutes to build rather than an hour. Each query goes through <see cref="InvocationReader"/>, the code the
/// API runs, on a fresh read-only connection from the pool. Writes a markdown table to stdout.
/// </summary>
public static class SearchReport
{
    public static int Run(string[] args)
    {
        var days = Arg(args, "--days", 10);
        var perDay = Arg(args, "--rows-per-day", 1_000_000);
        var dir = Path.Combine(Path.GetTempPath(), "ingest-search-report");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "search.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }

        var options = new StorageOptions { DatabasePath = path };
        var first = new DayPartition(new DateOnly(2026, 11, 1));
        var rows = SampleInvocations.Generate(perDay, first.StartUnixSeconds + 60, seed: 11, prefix: "d0");
        var output = new StringBuilder();
        output.AppendLine(CultureInfo.InvariantCulture, $"# Value search latency ({Environment.ProcessorCount} cores, SQLite {SqliteVersion()})");
        output.AppendLine();
        output.AppendLine("| Stored invocations | Query | Matches | p50 ms | p95 ms | max ms |");
        output.AppendLine("|---:|---|---:|---:|---:|---:|");

        using (var writer = new InvocationWriter(options))
        {
            var build = Stopwatch.StartNew();
            foreach (var chunk in rows.Chunk(5000))
            {
                writer.WriteBatch(chunk);
            }

            Console.Error.WriteLine($"day 1: {perDay:N0} rows through the writer in {build.Elapsed.TotalSeconds:F1} s ({perDay / build.Elapsed.TotalSeconds:N0}/s, search index on)");
            Measure(options, rows, perDay, output);

            for (var d = 1; d < days; d++)
            {
                var copy = Stopwatch.StartNew();
                var day = new DayPartition(first.Day.AddDays(d));
                writer.EnsurePartition(day);
                var shift = d * 86400;
                var columns = "task_id, name, state, worker, queue, sent_at, received_at, started_at, finished_at, state_at, runtime_s, retries, exception_type, exception, parent_id, root_id";
                writer.Execute($"""
                    BEGIN IMMEDIATE;
                    INSERT INTO {day.InvocationsSql} (id, {columns})
                    SELECT id, task_id || '-{d}', name, state, worker, queue, sent_at + {shift}, received_at + {shift}, started_at + {shift},
                           finished_at + {shift}, state_at + {shift}, runtime_s, retries, exception_type, exception, parent_id, root_id
                    FROM {first.InvocationsSql};
                    INSERT INTO {day.DetailsSql} (id, args, kwargs, result, traceback) SELECT id, args, kwargs, result, traceback FROM {first.DetailsSql};
                    COMMIT;
                    """);
                Console.Error.WriteLine($"day {d + 1}: copied in {copy.Elapsed.TotalSeconds:F1} s");
            }

            writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        Measure(options, rows, perDay * days, output);
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture, $"File: {new FileInfo(path).Length / (1024.0 * 1024):N0} MiB for {perDay * days:N0} invocations. Reproduce: `dotnet run -c Release --project loadtest/Benchmarks -- search --days {days} --rows-per-day {perDay}`.");
        Console.WriteLine(output.ToString());
        return 0;
    }

    private static void Measure(StorageOptions options, List<InvocationRecord> rows, long stored, StringBuilder output)
    {
        SqliteConnection.ClearAllPools();
        var reader = new InvocationReader(options);
        var random = new Random(5);
        var orders = Enumerable.Range(0, 200).Select(_ => rows[random.Next(rows.Count)]).ToList();
        string OrderOf(InvocationRecord r) => r.Args![1..r.Args!.IndexOf(',', StringComparison.Ordinal)];

        // The invocation page's read: one task id, looked up in every day newest first (issue 29: what a task_id index layout changes).
        var ids = orders.Select(r => r.TaskId).ToList();
        Timed(output, stored, "a task id (`GET /api/invocations/{id}`)", ids.Count, i => reader.Get(ids[i]) is null ? 0 : 1);

        Row(output, stored, "an order id (`q=123456`)", orders.Select(r => new InvocationQuery { Text = OrderOf(r) }).ToList(), reader);
        Row(output, stored, "key=value and task name (`q=order_id=123456&name=...`)",
            orders.Select(r => new InvocationQuery { Text = $"order_id={OrderOf(r)}", Name = r.Name }).ToList(), reader);
        Row(output, stored, "a word in every row, first page of 50 (`q=gold`)",
            Enumerable.Range(0, 10).Select(_ => new InvocationQuery { Text = "gold" }).ToList(), reader);
        // The worst case of a day indexed without positions (issue 29): both words in every row, never side by side,
        // so every row is a candidate whose text is checked, and none matches.
        Row(output, stored, "two words in every row, never side by side (`q=gold=tier`)",
            Enumerable.Range(0, 3).Select(_ => new InvocationQuery { Text = "gold=tier" }).ToList(), reader);
    }

    private static void Row(StringBuilder output, long stored, string label, List<InvocationQuery> queries, InvocationReader reader) =>
        Timed(output, stored, label, queries.Count, i => reader.List(queries[i]).Items.Count);

    /// <summary>Times <paramref name="count"/> reads, each returning its matches, after one untimed read that warms the pool and the page cache for this shape.</summary>
    private static void Timed(StringBuilder output, long stored, string label, int count, Func<int, int> read)
    {
        read(0);
        var times = new List<double>();
        long matches = 0;
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            matches += read(i);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        double At(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        output.AppendLine(CultureInfo.InvariantCulture,
            $"| {stored:N0} | {label} | {(double)matches / count:0.#} | {At(0.5):F2} | {At(0.95):F2} | {times[^1]:F2} |");
        Console.Error.WriteLine($"{stored:N0} {label}: p50 {At(0.5):F2} ms");
    }

    private static string SqliteVersion()
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version()";
        return (string)cmd.ExecuteScalar()!;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
