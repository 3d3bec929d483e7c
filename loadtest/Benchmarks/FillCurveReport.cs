using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// The write rate at the end of a busy day (issue 17): `-- fillcurve [--fills 0,1000000,10000000,50000000]
/// [--rows 100000] [--rounds 3] [--dir DIR] [--cache-kib N] [--mmap-mib N] [--svg FILE] [--keep] [--automerge N]`. One file, one day; the day is
/// topped up to each fill in turn and, at each fill, the raw prepared insert loop and Ingest's writer (search
/// index on, rollups on) each write <c>--rows</c> new invocations in 2,000-row batches, alternating order over
/// rounds. Ratios are taken within a round. Writes a markdown table to stdout and an SVG plot beside it.
/// </summary>
/// <remarks>
/// The fill is SQL run by SQLite itself (a recursive CTE, one transaction per million rows, a 6 GiB page cache
/// for the filler only): rows and details of the same shape as <see cref="SampleInvocations"/>, and the search index in 2,000-row transactions,
/// with random UUID task ids, so the day's task_id index is as scattered as a real day's. The measured writers
/// open the file as the service does (32 MiB writer cache unless <c>--cache-kib</c>, no mmap unless
/// <c>--mmap-mib</c>); the OS page cache is whatever the fill left warm, as on a host that has been writing all day.
/// </remarks>
public static class FillCurveReport
{
    private const int BatchRows = 2000;
    private static readonly DayPartition Day = new(new DateOnly(2026, 11, 22));

    public static int Run(string[] args)
    {
        var fills = (Text(args, "--fills") ?? "0,1000000,10000000,50000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).Order().ToList();
        var rows = (int)Number(args, "--rows", 100_000);
        var rounds = (int)Number(args, "--rounds", 3);
        var cacheKiB = (int)Number(args, "--cache-kib", new StorageOptions().WriterCacheKiB);
        var mmapMiB = Number(args, "--mmap-mib", 0);
        var dir = Text(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "ingest-fillcurve");
        var svgPath = Text(args, "--svg");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "day.db");
        // --keep: go on from the file a previous run left (a 50M-row fill takes half an hour to make).
        if (!args.Contains("--keep"))
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }

        var options = new StorageOptions { DatabasePath = path, WriterCacheKiB = cacheKiB };
        using (var create = new InvocationWriter(options))
        {
            create.EnsurePartition(Day);
            // --automerge N: FTS5's merge fan-in for the day's search index (default 4), stored in the index itself.
            if (Number(args, "--automerge", 0) is var automerge and > 0)
            {
                create.Execute($"INSERT INTO {Day.SearchSql} ({Day.SearchSql}, rank) VALUES ('automerge', {(int)automerge})");
            }
        }

        var points = new List<Point>();
        long written = 0; // rows the measured writers added (they count towards the fill)
        var clock = Day.StartUnixSeconds + 60.0;
        foreach (var fill in fills)
        {
            var filled = Stopwatch.StartNew();
            var before = Count(path);
            Fill(path, before, fill);
            Console.Error.WriteLine($"fill {fill:N0}: topped up from {before:N0} in {filled.Elapsed.TotalSeconds:F0} s; file {new FileInfo(path).Length / 1e9:F1} GB");
            clock = Math.Max(clock, Day.StartUnixSeconds + 60 + (fill * 0.0008));

            var raw = new List<double>();
            var rawSearch = new List<double>();
            var ingest = new List<double>();
            var longest = new Dictionary<string, double> { ["raw"] = 0, ["raw+search"] = 0, ["ingest"] = 0 };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var kind in round % 2 == 0 ? new[] { "raw", "raw+search", "ingest" } : ["ingest", "raw+search", "raw"])
                {
                    var batches = SampleInvocations.Generate(rows, clock, seed: (int)(fill % 100_000) + round, prefix: $"c{written}")
                        .Chunk(BatchRows).Select(c => c.ToList()).ToList();
                    clock += rows * 0.0005;
                    var watch = new Stopwatch();
                    void Time(Action<List<InvocationRecord>> write)
                    {
                        foreach (var b in batches)
                        {
                            var t = watch.Elapsed;
                            watch.Start();
                            write(b);
                            watch.Stop();
                            longest[kind] = Math.Max(longest[kind], (watch.Elapsed - t).TotalMilliseconds);
                        }
                    }

                    if (kind != "ingest")
                    {
                        using var loop = new RawInsertLoop(path, Day, cacheKiB, search: kind == "raw+search");
                        Tune(loop.Connection, mmapMiB);
                        Time(loop.WriteBatch);
                    }
                    else
                    {
                        using var writer = new InvocationWriter(options);
                        Tune(writer.Connection, mmapMiB);
                        Time(b => writer.WriteBatch(b));
                    }

                    written += rows;
                    var rates = kind switch { "raw" => raw, "raw+search" => rawSearch, _ => ingest };
                    rates.Add(rows / watch.Elapsed.TotalSeconds);
                    Console.Error.WriteLine($"  fill {fill:N0} round {round + 1} {kind}: {rates[^1]:N0} rows/s");
                    SqliteConnection.ClearAllPools();
                }
            }

            points.Add(new Point(fill, Median(raw), Median(rawSearch), Median(ingest), Median(ingest.Zip(rawSearch, (a, b) => a / b)), Count(path), new FileInfo(path).Length, longest["ingest"], longest["raw+search"]));
        }

        var table = Table(points, rows, rounds, cacheKiB, mmapMiB, args);
        Console.WriteLine(table);
        if (svgPath is not null)
        {
            File.WriteAllText(svgPath, Svg(points));
            Console.Error.WriteLine($"plot written to {svgPath}");
        }

        return 0;
    }

    /// <summary>Adds rows, details and search entries until the day holds <paramref name="target"/> invocations.</summary>
    private static void Fill(string path, long from, long target)
    {
        if (target <= from)
        {
            return;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        // No journal while filling (the filler is alone on the file and a crash only spoils a benchmark file); the
        // file goes back to WAL, as the service keeps it, before anything is measured.
        Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -6291456; PRAGMA temp_store = MEMORY;");
        for (var start = from; start < target; start += 1_000_000)
        {
            var end = Math.Min(target, start + 1_000_000);
            using var tx = connection.BeginTransaction();
            var rowsWatch = Stopwatch.StartNew();
            var firstId = Scalar(connection, $"SELECT coalesce(max(id), 0) FROM {Day.InvocationsSql}", tx) + 1;
            // Task ids: 'f-' and a random UUID-shaped hex string, as long as SampleInvocations' 't-<guid>'.
            Execute(connection, $"""
                WITH RECURSIVE s(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM s WHERE i < {end - 1})
                INSERT INTO {Day.InvocationsSql} (task_id, name, state, worker, queue, sent_at, received_at, started_at, finished_at, state_at, runtime_s, retries, exception_type, exception)
                SELECT printf('f-%s-%s-%s-%s-%s', lower(hex(randomblob(4))), lower(hex(randomblob(2))), lower(hex(randomblob(2))), lower(hex(randomblob(2))), lower(hex(randomblob(6)))),
                       'shop.tasks.' || (CASE abs(random()) % 5 WHEN 0 THEN 'process_order' WHEN 1 THEN 'send_receipt' WHEN 2 THEN 'charge_card' WHEN 3 THEN 'reindex_product' ELSE 'send_digest' END),
                       CASE WHEN abs(random()) % 100 < 7 THEN 'FAILURE' ELSE 'SUCCESS' END,
                       'celery@worker-' || (1 + abs(random()) % 19), 'celery',
                       t - 0.2, t - 0.15, t - 0.1, t, t, 0.1, 0, NULL, NULL
                FROM (SELECT i, {Day.StartUnixSeconds + 60} + i * 0.0008 AS t FROM s);
                """, tx);
            Console.Error.WriteLine($"  rows {rowsWatch.Elapsed.TotalSeconds:F1} s");
            var step = Stopwatch.StartNew();
            Execute(connection, $$$"""
                INSERT INTO {{{Day.DetailsSql}}} (id, args, kwargs, result, traceback)
                SELECT id, printf('(%d, ''EUR'')', o), printf('{''order_id'': %d, ''customer'': {''id'': ''c-%d'', ''tier'': ''gold'', ''active'': True}, ''items'': [{''sku'': ''A-1'', ''qty'': 2, ''price'': 9.5}, {''sku'': ''B-7'', ''qty'': 1, ''price'': 100.0}], ''flags'': {''rush'': False}}', o, o % 1000),
                       CASE WHEN state = 'SUCCESS' THEN printf('{''order_id'': %d, ''status'': ''ok'', ''total'': 119.0}', o) END, NULL
                FROM (SELECT id, state, 10000 + abs(random()) % 990000 AS o FROM {{{Day.InvocationsSql}}} WHERE id >= {{{firstId}}});
                """, tx);
            tx.Commit();
            var details = step.Elapsed;
            // The search index in 2,000-row transactions, as the flush writes it: FTS5 writes one segment per
            // transaction and merges as it goes, so the day's index has the shape a day of batches gives it.
            // (Filled in one transaction per million rows, it left merge work that the next writer paid: one
            // 2,000-row batch took 7 s.)
            for (var lo = firstId; lo < firstId + (end - start); lo += BatchRows)
            {
                using var ftx = connection.BeginTransaction();
                Execute(connection, $"INSERT INTO {Day.SearchSql} (rowid, args, kwargs, result) SELECT id, args, kwargs, result FROM {Day.DetailsSql} WHERE id >= {lo} AND id < {lo + BatchRows}", ftx);
                ftx.Commit();
            }

            var search = step.Elapsed - details;
            Console.Error.WriteLine($"  filled to {end:N0}: details {details.TotalSeconds:F1} s, search {search.TotalSeconds:F1} s");
        }

        Execute(connection, "PRAGMA journal_mode = WAL;");
    }

    private static void Tune(SqliteConnection connection, double mmapMiB)
    {
        if (mmapMiB > 0)
        {
            Execute(connection, $"PRAGMA mmap_size = {(long)(mmapMiB * 1024 * 1024)};");
        }
    }

    private static long Count(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return Scalar(connection, $"SELECT coalesce(max(id), 0) FROM {Day.InvocationsSql}");
    }

    private static string Table(List<Point> points, int rows, int rounds, int cacheKiB, double mmapMiB, string[] args)
    {
        var empty = points[0];
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Flush rate into a day already holding N invocations ({Environment.ProcessorCount} cores; {rows:N0} new rows per writer per round in {BatchRows:N0}-row batches; {rounds} rounds; median)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"FTS5 automerge {(Text(args, "--automerge") ?? "4 (default)")}. Writer page cache {cacheKiB / 1024} MiB, mmap {(mmapMiB > 0 ? $"{mmapMiB} MiB" : "off")}, page size 4096, WAL, synchronous=NORMAL. Ingest: search index and rollups on. Raw loop: one prepared insert of the row and one of its details per record; raw + search: and one of its full-text entry; no rollups.");
        sb.AppendLine();
        sb.AppendLine("| rows in the day | raw loop rows/s | raw + search rows/s | Ingest rows/s | Ingest / raw + search (median round) | Ingest / Ingest at the first fill | Ingest tasks/min | longest batch, Ingest / raw + search (ms) | file GB |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in points)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {p.Fill:N0} | {p.Raw:N0} | {p.RawSearch:N0} | {p.Ingest:N0} | {p.Ratio:F2} | {p.Ingest / empty.Ingest:F2} | {p.Ingest * 60:N0} | {p.LongestIngestMs:N0} / {p.LongestRawSearchMs:N0} | {p.FileBytes / 1e9:F1} |");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `dotnet run -c Release --project loadtest/Benchmarks -- fillcurve {string.Join(' ', args)}`.");
        return sb.ToString();
    }

    private static string Svg(List<Point> points)
    {
        const double w = 640, h = 360, left = 70, right = 20, top = 30, bottom = 50;
        var maxRate = points.Max(p => Math.Max(p.Raw, Math.Max(p.RawSearch, p.Ingest))) * 1.1;
        var n = points.Count;
        double X(int i) => left + (n == 1 ? 0 : i * (w - left - right) / (n - 1));
        double Y(double v) => top + ((h - top - bottom) * (1 - (v / maxRate)));
        string Line(Func<Point, double> f) => string.Join(' ', points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):F1},{Y(f(p)):F1}")));
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">""");
        sb.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{left}" y="18">Rows/s into a day already holding N invocations</text>""");
        for (var k = 0; k <= 4; k++)
        {
            var v = maxRate * k / 4;
            sb.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{left}" x2="{w - right}" y1="{Y(v):F1}" y2="{Y(v):F1}" stroke="#ddd"/><text x="{left - 6}" y="{Y(v) + 4:F1}" text-anchor="end">{v / 1000:F0}k</text>""");
        }

        for (var i = 0; i < n; i++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{X(i):F1}" y="{h - bottom + 18}" text-anchor="middle">{Label(points[i].Fill)}</text>""");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{(left + w - right) / 2}" y="{h - 12}" text-anchor="middle">rows already in the day (log-spaced points, evenly drawn)</text>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="#888" stroke-width="2" stroke-dasharray="5,4" points="{Line(p => p.Raw)}"/>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="#2da44e" stroke-width="2" stroke-dasharray="2,3" points="{Line(p => p.RawSearch)}"/>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="#1f6feb" stroke-width="2.5" points="{Line(p => p.Ingest)}"/>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{w - right - 200}" y="{top + 16}" fill="#888">- - raw insert loop (no search)</text>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{w - right - 200}" y="{top + 32}" fill="#2da44e">.. raw insert loop + search</text>""");
        sb.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{w - right - 200}" y="{top + 48}" fill="#1f6feb">--- Ingest (search + rollups)</text>""");
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string Label(long fill) => fill switch
    {
        0 => "0",
        >= 1_000_000 => $"{fill / 1_000_000}M",
        >= 1000 => $"{fill / 1000}k",
        _ => fill.ToString(CultureInfo.InvariantCulture),
    };

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v[v.Count / 2];
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static string? Text(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Number(string[] args, string name, double fallback) =>
        Text(args, name) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private sealed record Point(long Fill, double Raw, double RawSearch, double Ingest, double Ratio, long RowsAfter, long FileBytes, double LongestIngestMs, double LongestRawSearchMs);
}
