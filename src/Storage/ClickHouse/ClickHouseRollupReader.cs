using System.Buffers.Binary;
using System.Text.Json;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Reads the rollups of migration 2 (issue 26) in the shapes SQLite's <see cref="RollupReader"/> gives: every key's
/// rows added up in the query (sum, sumMap, -Merge with GROUP BY), so parts not merged yet, and the deltas several
/// instances wrote, never split or double a figure. Task hours are the facet hours summed over queue and group.
/// </summary>
public sealed class ClickHouseRollupReader : IRollupStore
{
    private static readonly string[] s_states = Partitions.PartitionSchema.StateCountColumns;

    /// <summary>The sums of a task row, aliased s_*: an alias equal to a column's name would stand for it inside sum().</summary>
    private static readonly string s_counts = string.Join(", ",
        ((string[])["total", .. s_states, "runtime_count", "runtime_sum"]).Select(c => $"sum({c}) AS s_{c}"))
        + ", sumMap(runtimesMap.bucket, runtimesMap.count) AS s_runtimes";

    private static readonly string s_waits =
        "sum(queue_wait_count) AS s_queue_wait_count, sum(queue_wait_sum) AS s_queue_wait_sum, sumMap(queueWaitsMap.bucket, queueWaitsMap.count) AS s_queue_waits, " +
        "sum(pickup_count) AS s_pickup_count, sum(pickup_sum) AS s_pickup_sum, sumMap(pickupsMap.bucket, pickupsMap.count) AS s_pickups";

    private readonly ClickHouseClient _client;
    private readonly string _db;

    /// <param name="client">The store (not disposed here: readers share the host's client).</param>
    public ClickHouseRollupReader(ClickHouseClient client)
    {
        _client = client;
        _db = client.Endpoint.Database;
    }

    /// <inheritdoc/>
    public IReadOnlyList<TaskHourRow> TaskHours(double since, double until, string? name = null) =>
        TaskHours(new ClickHouseRollupRange(since, until, name));

    /// <inheritdoc/>
    public IReadOnlyList<TaskHourRow> TaskHoursOf(double since, double until, IReadOnlyCollection<string> names) =>
        names.Count == 0 ? [] : TaskHours(new ClickHouseRollupRange(since, until, Names: names));

    private List<TaskHourRow> TaskHours(ClickHouseRollupRange range) =>
        Rows($"SELECT name, hour, {s_counts} FROM {_db}.group_hours{range.Where()} GROUP BY name, hour ORDER BY name, hour")
            .Select(r => Counts(r))
            .ToList();

    /// <inheritdoc/>
    public IReadOnlyList<GroupHourRow> GroupHours(double since, double until, string? name = null, string? queue = null, string? group = null) =>
        Facets(new ClickHouseRollupRange(since, until, name, Queue: queue, Group: group));

    /// <inheritdoc/>
    public IReadOnlyList<GroupHourRow> GroupHoursOf(double since, double until, IReadOnlyCollection<string> names, string? queue = null, string? group = null) =>
        names.Count == 0 ? [] : Facets(new ClickHouseRollupRange(since, until, Names: names, Queue: queue, Group: group));

    /// <inheritdoc/>
    public IReadOnlyList<GroupHourRow> GroupMinutes(double since, double until, string? name = null, string? queue = null, string? group = null) =>
        Facets(new ClickHouseRollupRange(since, until, name, Queue: queue, Group: group, Minutes: true));

    /// <inheritdoc/>
    public IReadOnlyList<GroupHourRow> GroupMinutesOf(double since, double until, IReadOnlyCollection<string> names, string? queue = null, string? group = null) =>
        names.Count == 0 ? [] : Facets(new ClickHouseRollupRange(since, until, Names: names, Queue: queue, Group: group, Minutes: true));

    private List<GroupHourRow> Facets(ClickHouseRollupRange range)
    {
        var table = range.Minutes ? "task_minutes" : "group_hours";
        return Rows($"SELECT name, queue, worker_group, hour, {s_counts}, {s_waits} FROM {_db}.{table}{range.Where()} " +
                "GROUP BY name, queue, worker_group, hour ORDER BY name, queue, worker_group, hour")
            .Select(r => new GroupHourRow(
                ClickHouseAnswers.Text(r, "queue")!, ClickHouseAnswers.Text(r, "worker_group")!, Counts(r),
                ClickHouseAnswers.Int64(r, "s_queue_wait_count"), ClickHouseAnswers.Number(r, "s_queue_wait_sum") ?? 0, Histogram(r, "s_queue_waits"),
                ClickHouseAnswers.Int64(r, "s_pickup_count"), ClickHouseAnswers.Number(r, "s_pickup_sum") ?? 0, Histogram(r, "s_pickups")))
            .ToList();
    }

    /// <inheritdoc/>
    public bool MinutesComplete(double hourFrom, double hourTo)
    {
        long Total(ClickHouseRollupRange range, string table) =>
            Rows($"SELECT sum(total) AS s_total FROM {_db}.{table}{range.Where()}").Select(r => ClickHouseAnswers.Int64(r, "s_total")).FirstOrDefault();

        return Total(new ClickHouseRollupRange(hourFrom, hourTo), "group_hours") == Total(new ClickHouseRollupRange(hourFrom, hourTo, Minutes: true), "task_minutes");
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Every instance that samples a queue writes its own readings: each counts as a sample. The last reading's
    /// consumers are the newest reading's (the largest where two share a second, as on SQLite).
    /// </remarks>
    public IReadOnlyList<QueueLengthPoint> QueueLengths(double since, double until, long bucketSeconds, string? queue = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketSeconds, 1);
        var from = (long)Math.Floor(since);
        var to = (long)Math.Ceiling(until);
        var bucket = ClickHouseSql.Number(bucketSeconds);
        var sql = $"SELECT queue, intDiv(at, {bucket}) * {bucket} AS b, max(length) AS mx, avg(length) AS mean, count() AS n, " +
            "argMax(ifNull(consumers, -1), (at, ifNull(consumers, -1))) AS c " +
            $"FROM {_db}.queue_samples WHERE day >= {ClickHouseSql.Date(Partitions.DayPartition.DayOf(from))} AND day <= {ClickHouseSql.Date(Partitions.DayPartition.DayOf(to))} " +
            $"AND at >= {ClickHouseSql.Number(from)} AND at < {ClickHouseSql.Number(to)}" +
            (queue is null ? "" : $" AND queue = {ClickHouseSql.Quote(queue)}") +
            " GROUP BY queue, b ORDER BY queue, b";
        return Rows(sql)
            .Select(r => new QueueLengthPoint(
                ClickHouseAnswers.Text(r, "queue")!, ClickHouseAnswers.Int64(r, "b"), ClickHouseAnswers.Int64(r, "mx"), ClickHouseAnswers.Number(r, "mean") ?? 0,
                ClickHouseAnswers.Number(r, "c") is { } c and >= 0 ? (int)c : null, (int)ClickHouseAnswers.Int64(r, "n")))
            .ToList();
    }

    /// <inheritdoc/>
    public IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name = null) =>
        Failures(new ClickHouseRollupRange(since, until, name));

    /// <inheritdoc/>
    public IReadOnlyList<FailureHourRow> FailureHours(double since, double until, string? name, string? queue, string? group) =>
        Failures(new ClickHouseRollupRange(since, until, name, Queue: queue, Group: group));

    private List<FailureHourRow> Failures(ClickHouseRollupRange range) =>
        Rows($"SELECT name, exception_type, hour, {FailureMerges} FROM {_db}.failure_groups{range.Where()} " +
                "GROUP BY name, exception_type, hour HAVING c > 0 ORDER BY name, exception_type, hour")
            .Select(r =>
            {
                var example = ClickHouseAnswers.Text(r, "e") is { Length: > 0 } e ? e : null;
                return new FailureHourRow(
                    ClickHouseAnswers.Text(r, "name")!, ClickHouseAnswers.Text(r, "exception_type")!, ClickHouseAnswers.Int64(r, "hour"), ClickHouseAnswers.Int64(r, "c"),
                    example is null ? null : ClickHouseAnswers.Number(r, "f"), example is null ? null : ClickHouseAnswers.Number(r, "l"), example);
            })
            .ToList();

    /// <summary>A failure group's figures merged from its states: count c, first f, last l, example e ("" for none seen).</summary>
    internal const string FailureMerges = "sumMerge(n) AS c, minIfMerge(first) AS f, maxIfMerge(last) AS l, argMaxIfMerge(example) AS e";

    private static TaskHourRow Counts(JsonElement r)
    {
        var states = new long[s_states.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = ClickHouseAnswers.Int64(r, "s_" + s_states[i]);
        }

        return new TaskHourRow(
            ClickHouseAnswers.Text(r, "name")!, ClickHouseAnswers.Int64(r, "hour"), ClickHouseAnswers.Int64(r, "s_total"), states,
            ClickHouseAnswers.Int64(r, "s_runtime_count"), ClickHouseAnswers.Number(r, "s_runtime_sum") ?? 0, Histogram(r, "s_runtimes"));
    }

    /// <summary>
    /// A sumMap's answer (<c>[[buckets], [counts]]</c>) in <see cref="RuntimeHistogram"/>'s encoding, the blob SQLite
    /// stores: (bucket, count) pairs, zero counts left out; null when none is left.
    /// </summary>
    internal static byte[]? Histogram(JsonElement row, string column)
    {
        var map = row.GetProperty(column);
        var buckets = map[0];
        var counts = map[1];
        var bytes = new List<byte>(buckets.GetArrayLength() * 6);
        Span<byte> pair = stackalloc byte[6];
        for (var i = 0; i < buckets.GetArrayLength(); i++)
        {
            var count = counts[i].ValueKind == JsonValueKind.String ? long.Parse(counts[i].GetString()!, System.Globalization.CultureInfo.InvariantCulture) : counts[i].GetInt64();
            if (count != 0)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(pair, (ushort)buckets[i].GetInt32());
                BinaryPrimitives.WriteInt32LittleEndian(pair[2..], (int)Math.Clamp(count, int.MinValue, int.MaxValue));
                bytes.AddRange(pair);
            }
        }

        return bytes.Count == 0 ? null : [.. bytes];
    }

    private IEnumerable<JsonElement> Rows(string sql) => ClickHouseAnswers.Rows(_client.Query(sql + " FORMAT JSONEachRow"));
}
