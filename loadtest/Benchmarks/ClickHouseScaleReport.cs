using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ingest.Storage;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Reading;

namespace Ingest.Benchmarks;

/// <summary>
/// Lookup by id and order-id search latency on ClickHouse at growing sizes over 7 days (issue 26):
/// <c>-- clickhouse-scale --url http://default@127.0.0.1:PORT/db --sizes 10000000,70000000</c>. The rows are made by the
/// server itself (<c>INSERT ... SELECT ... FROM numbers(N)</c>), shaped like the writer's: uuid task ids, a few dozen
/// names, one task in 50 failed, one in 4 with an order id in its kwargs (each order id on 3 tasks of different days),
/// their task_days and their terms (split as the writer splits ASCII text). Each size adds rows to the previous one's,
/// then 200 lookups of random existing ids (<see cref="ClickHouseInvocationReader.Get"/>) and 100 searches of random
/// order ids over the 7 days (<see cref="ClickHouseInvocationReader.List"/> with a text) are timed one after another.
/// Writes a markdown report to stdout.
/// </summary>
public static class ClickHouseScaleReport
{
    private const int Days = 7;
    private const long Chunk = 10_000_000;
    private static readonly DateOnly s_firstDay = new(2026, 11, 29);

    public static int Run(string[] args)
    {
        var url = Arg(args, "--url") ?? throw new ArgumentException("--url http://user@host:port/database is required");
        var sizes = (Arg(args, "--sizes") ?? "10000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
        using var client = new ClickHouseClient(ClickHouseEndpoint.Parse(url), TimeSpan.FromHours(3));
        ClickHouseMigrator.MigrateAsync(client, CancellationToken.None).GetAwaiter().GetResult();
        var db = client.Endpoint.Database;
        var reader = new ClickHouseInvocationReader(client);
        var output = new StringBuilder();
        output.AppendLine(CultureInfo.InvariantCulture, $"ClickHouse {client.Query("SELECT version() FORMAT TabSeparated").Trim()}, {Environment.ProcessorCount} cores, {Days} days");
        output.AppendLine();
        output.AppendLine("| Invocations | Generated in | Query | Runs | Matches each | p50 ms | p95 ms | max ms |");
        output.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|");
        long stored = Count(client, "invocations");
        foreach (var size in sizes)
        {
            var build = Stopwatch.StartNew();
            for (var from = stored; from < size; from += Chunk)
            {
                Generate(client, db, from, Math.Min(Chunk, size - from));
                Console.Error.WriteLine($"{Math.Min(from + Chunk, size):N0} invocations after {build.Elapsed.TotalSeconds:F0} s");
            }

            stored = Math.Max(stored, size);
            WaitForMerges(client);
            var took = $"{build.Elapsed.TotalMinutes:F1} min";
            var random = new Random(26);
            var ids = Enumerable.Range(0, 200).Select(_ => TaskId(random.NextInt64(stored))).ToList();
            Row(output, stored, took, "lookup by id (Get)", ids.Select(id => (Func<int>)(() => reader.Get(id) is null ? 0 : 1)).ToList());
            var since = new DateTimeOffset(s_firstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
            var orders = Enumerable.Range(0, 100).Select(_ => 10_000_000 + random.NextInt64(stored / 12)).ToList();
            Row(output, stored, took, "order-id search over 7 days (List, q=order id)", orders.Select(o => (Func<int>)(() =>
                reader.List(new InvocationQuery { Text = o.ToString(CultureInfo.InvariantCulture), Since = since }).Items.Count)).ToList());
            var sofar = new StringBuilder(output.ToString());
            Parts(client, db, stored, sofar);
            Console.Error.WriteLine(sofar.ToString());
        }

        Parts(client, db, stored, output);
        Console.WriteLine(output.ToString());
        return 0;
    }

    /// <summary>Rows and bytes on disk of every table (active parts), and per stored invocation.</summary>
    private static void Parts(ClickHouseClient client, string db, long stored, StringBuilder output)
    {
        output.AppendLine();
        output.AppendLine("| Table | Rows | Bytes on disk | Bytes per invocation |");
        output.AppendLine("|---|---:|---:|---:|");
        var parts = client.Query(
            $"SELECT table, sum(rows), sum(bytes_on_disk) FROM system.parts WHERE active AND database = {ClickHouseSql.Quote(db)} GROUP BY table ORDER BY table FORMAT TabSeparated");
        foreach (var line in parts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            var bytes = long.Parse(f[2], CultureInfo.InvariantCulture);
            output.AppendLine(CultureInfo.InvariantCulture, $"| {f[0]} | {long.Parse(f[1], CultureInfo.InvariantCulture):N0} | {bytes:N0} | {(double)bytes / stored:F1} |");
        }
    }

    /// <summary>The task id of row <paramref name="n"/>: the generator's, an MD5 of the number laid out as a uuid.</summary>
    private static string TaskId(long n)
    {
        // Not security: the same hash the server's MD5() gave the row, to find rows that exist.
#pragma warning disable CA5351
        var h = Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture))));
#pragma warning restore CA5351
        return $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}";
    }

    private static void Generate(ClickHouseClient client, string db, long from, long count)
    {
        var first = ClickHouseSql.Date(s_firstDay);
        var start = new DateTimeOffset(s_firstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        var success = ClickHouseLifecycle.Rank(TaskStates.Success);
        var rows = $"SELECT number + {from} AS n, toDate({first}) + (n % {Days}) AS day, lower(hex(MD5(toString(n)))) AS h, " +
                   "concat(substring(h, 1, 8), '-', substring(h, 9, 4), '-', substring(h, 13, 4), '-', substring(h, 17, 4), '-', substring(h, 21, 12)) AS task_id, " +
                   $"toFloat64({start} + (n % {Days}) * 86400 + intDiv(n, {Days}) % 86400) + 0.25 AS state_at, n % 50 = 0 AS failed FROM numbers({count})";
        client.Query(
            $"INSERT INTO {db}.invocations (day, task_id, state, state_at, state_rank, name, worker, queue, sent_at, received_at, started_at, finished_at, runtime_s, retries, exception_type, exception) " +
            $"SELECT day, task_id, if(failed, 'FAILURE', 'SUCCESS'), state_at, {success}, concat('shop.tasks.task_', toString(n % 40)), concat('celery@host-', toString(n % 16)), 'celery', " +
            "state_at - 2, state_at - 1.5, state_at - 1, state_at, 1.0, 0, if(failed, 'ValueError', NULL), if(failed, 'ValueError(''boom'')', NULL) " +
            $"FROM ({rows})");
        client.Query(
            $"INSERT INTO {db}.details (day, task_id, state_at, state_rank, args, kwargs, result, traceback) " +
            $"SELECT day, task_id, state_at, {success}, concat('(', toString(n % 1000), ', ''x'')'), " +
            "if(n % 4 = 0, concat('{''order_id'': ', toString(10000000 + intDiv(n, 12)), ', ''n_items'': ', toString(n % 9), '}'), '{''n_items'': 2}'), " +
            $"if(failed, NULL, '''ok'''), NULL FROM ({rows})");
        client.Query($"INSERT INTO {db}.task_days (task_id, day) SELECT task_id, day FROM ({rows})");
        // The writer's tokens of ASCII text: runs of letters and digits, lowercased, each once per task, through the
        // input the writer inserts into (schema version 5), whose views file them as hashed terms and hash-to-id rows.
        client.Query(
            $"INSERT INTO {db}.term_inputs (day, term, task_id) SELECT day, arrayJoin(arrayDistinct(extractAll(lower(concat(" +
            "concat('(', toString(n % 1000), ', ''x'')'), ' ', if(n % 4 = 0, concat('{''order_id'': ', toString(10000000 + intDiv(n, 12)), ', ''n_items'': ', toString(n % 9), '}'), '{''n_items'': 2}'), ' ', " +
            $"if(failed, 'ValueError(''boom'')', '''ok'''))), '[a-z0-9]+'))) AS term, task_id FROM ({rows})");
    }

    private static void WaitForMerges(ClickHouseClient client)
    {
        // Latency is measured on a settled store, as a day past its busy hour would be: at most 10 minutes of merges.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(10) && client.Query("SELECT count() FROM system.merges FORMAT TabSeparated").Trim() != "0")
        {
            Thread.Sleep(5000);
        }
    }

    private static void Row(StringBuilder output, long stored, string took, string label, List<Func<int>> runs)
    {
        var ms = new List<double>();
        var matches = new SortedSet<int>();
        foreach (var run in runs)
        {
            var watch = Stopwatch.StartNew();
            matches.Add(run());
            ms.Add(watch.Elapsed.TotalMilliseconds);
        }

        ms.Sort();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"| {stored:N0} | {took} | {label} | {runs.Count} | {string.Join("/", matches)} | {ms[ms.Count / 2]:F1} | {ms[(int)(ms.Count * 0.95)]:F1} | {ms[^1]:F1} |");
    }

    private static long Count(ClickHouseClient client, string table) =>
        long.Parse(client.Query($"SELECT count() FROM {client.Endpoint.Database}.{table} FORMAT TabSeparated").Trim(), CultureInfo.InvariantCulture);

    private static string? Arg(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
