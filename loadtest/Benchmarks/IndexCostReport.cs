using System.Diagnostics;
using System.Globalization;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// What the search index costs the flush, as ratios within one run (`-- indexcost [--rows 300000] [--rounds 3]`):
/// the same rows, in 2,000-row batches, into a fresh file by the raw prepared insert loop (no index, no
/// rollups), by Ingest's writer with the search index off, and with it on. Rounds alternate the order so
/// that drift on a noisy machine falls on all three; the median round is reported.
/// </summary>
public static class IndexCostReport
{
    public static int Run(string[] args)
    {
        var rows = Arg(args, "--rows", 300_000);
        var rounds = Arg(args, "--rounds", 3);
        var day = new DayPartition(new DateOnly(2026, 11, 22));
        var data = SampleInvocations.Generate(rows, day.StartUnixSeconds + 60, seed: 3).Chunk(2000).Select(c => c.ToList()).ToList();
        var dir = Path.Combine(Path.GetTempPath(), "ingest-indexcost");
        Directory.CreateDirectory(dir);
        var results = new Dictionary<string, List<double>> { ["raw"] = [], ["off"] = [], ["on"] = [] };
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? new[] { "raw", "off", "on" } : ["on", "off", "raw"];
            foreach (var kind in order)
            {
                var path = Path.Combine(dir, kind + ".db");
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                {
                    File.Delete(path + suffix);
                }

                var watch = Stopwatch.StartNew();
                if (kind == "raw")
                {
                    using var raw = new RawInsertLoop(path, day);
                    data.ForEach(raw.WriteBatch);
                }
                else
                {
                    using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path, SearchIndex = kind == "on" });
                    data.ForEach(b => writer.WriteBatch(b));
                }

                results[kind].Add(rows / watch.Elapsed.TotalSeconds);
                SqliteConnection.ClearAllPools();
                Console.Error.WriteLine($"round {round + 1} {kind}: {results[kind][^1]:N0} rows/s");
            }
        }

        // Ratios are taken within each round (the three writers ran back to back) and the median round's ratio
        // is reported: on this machine a whole round can run at half speed, and per-writer medians would then
        // compare rates from different rounds.
        double Median(IEnumerable<double> v) => v.Order().ElementAt(rounds / 2);
        string Range(IEnumerable<double> v) => string.Create(CultureInfo.InvariantCulture, $"{v.Min():F2}-{v.Max():F2}");
        var offRaw = results["off"].Zip(results["raw"], (a, b) => a / b).ToList();
        var onRaw = results["on"].Zip(results["raw"], (a, b) => a / b).ToList();
        var onOff = results["on"].Zip(results["off"], (a, b) => a / b).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            # Flush cost of the search index ({Environment.ProcessorCount} cores; {rows:N0} rows in 2,000-row batches; {rounds} rounds)

            | Writer | rows/s, median | over raw insert loop, median round | range over rounds |
            |---|---:|---:|---:|
            | raw prepared insert loop (no index, no rollups) | {Median(results["raw"]):N0} | 1.00 | |
            | Ingest, search index off (rollups on) | {Median(results["off"]):N0} | {Median(offRaw):F2} | {Range(offRaw)} |
            | Ingest, search index on | {Median(results["on"]):N0} | {Median(onRaw):F2} | {Range(onRaw)} |

            With the index on, the flush runs at {Median(onOff):F2} of its rate without it (range {Range(onOff)}).
            Reproduce: `dotnet run -c Release --project loadtest/Benchmarks -- indexcost --rows {rows} --rounds {rounds}`.
            """));
        return 0;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
