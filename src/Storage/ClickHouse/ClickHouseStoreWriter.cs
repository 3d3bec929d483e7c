using System.Globalization;
using Ingest.Storage.Checkpoint;
using Ingest.Storage.Partitions;
using Ingest.Storage.Retention;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Writes the flush loop's batches to ClickHouse: one INSERT per batch per table (invocations, details, task days,
/// search terms, in-flight), day partitions created by the inserts themselves, retention by dropping whole day partitions. Not
/// thread-safe: it belongs to the flush loop, like the SQLite writer.
/// </summary>
/// <remarks>
/// The inserts of one batch are not one transaction (ClickHouse has none across tables). A batch that fails half
/// way is written again whole by the retry; the rows it wrote twice merge at read into the same invocation, since
/// every merge (max, newest by time and rank) gives the same answer for a row seen twice.
/// </remarks>
public sealed class ClickHouseStoreWriter : IDisposable
{
    /// <summary>The meta key of <see cref="RecordShutdownDrops"/>.</summary>
    public const string ShutdownDroppedKey = "shutdown_dropped";

    // What detail retention drops by day: the details and the search terms that index them, of every schema version.
    private static readonly string[] s_detailTables = ["details", "terms", "term_hashes", "task_hashes"];

    private readonly ClickHouseClient _client;
    private readonly ClickHouseSchema _schema;
    private readonly TimeProvider _time;
    private readonly string _instance;
    private readonly ClickHouseRollupRows _rollups;
    private ulong _version;

    /// <param name="client">The store; the writer disposes it.</param>
    /// <param name="instance">This process's name among those sharing the database (its in-flight rows and meta are its own).</param>
    /// <param name="time">The clock (versions of replacing rows, today's partition for in-flight rows).</param>
    /// <param name="groups">How the rollups group workers; default <see cref="WorkerGroups.Default"/>.</param>
    public ClickHouseStoreWriter(ClickHouseClient client, string instance, TimeProvider time, WorkerGroups? groups = null)
    {
        _rollups = new ClickHouseRollupRows(groups ?? WorkerGroups.Default);
        _client = client;
        _schema = new ClickHouseSchema(client.Endpoint);
        _instance = instance;
        _time = time;
        SchemaVersion = ClickHouseMigrator.MigrateAsync(client, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The schema version the database is at after opening.</summary>
    public int SchemaVersion { get; }

    /// <summary>This process's name among the instances.</summary>
    public string Instance => _instance;

    /// <summary>Writes a batch and the checkpoint's changes: one insert per table; throws a <see cref="ClickHouseException"/> on failure.</summary>
    public void WriteBatch(IReadOnlyList<InvocationRecord> batch, CheckpointDelta? checkpoint = null)
    {
        // The checkpoint's unfinished tasks go in as invocations too (issue 26): the instances sharing the store
        // merge them with the rows of what they saw of those tasks, even if this one never writes again. They are
        // not runs the rollups count (SQLite's checkpoint never reaches its rollups either): only the batch is.
        var rows = checkpoint is { Records.Count: > 0 } ? [.. batch, .. checkpoint.Records] : batch;
        if (rows.Count > 0)
        {
            var (invocations, details, days) = ClickHouseRows.Batch(rows);
            _client.Insert("invocations", invocations);
            if (details is not null)
            {
                _client.Insert("details", details);
            }

            _client.Insert("task_days", days);
            if (ClickHouseRows.Retries(rows) is { } retries)
            {
                _client.Insert("retries", retries);
            }

            // The in-flight rows' terms too: on ClickHouse every instance lists and searches the store alone. Into the
            // Null input whose views file them as hashed terms and hash-to-id rows (version 5): a third of the bytes.
            if (ClickHouseTermRows.Of(rows) is { } terms)
            {
                _client.Insert("term_inputs", terms);
            }
        }

        if (checkpoint is { IsEmpty: false })
        {
            _client.Insert("inflight", ClickHouseRows.Inflight(checkpoint, _instance, Today, NextVersion()));
        }

        if (batch.Count > 0)
        {
            WriteRollups(batch);
        }
    }

    /// <summary>
    /// The batch's rollup deltas, after everything else: a failure before them leaves none written, so the retry
    /// of the whole batch counts each run once. A failure between these three inserts does count the part written
    /// before it twice on the retry (no transaction spans tables; 18.16 deduplicates retried blocks only on
    /// Replicated tables, which a cluster's are).
    /// </summary>
    private void WriteRollups(IReadOnlyList<InvocationRecord> batch)
    {
        var minutesFrom = (_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0) - Writing.InvocationWriter.MinuteRetention.TotalSeconds;
        var (groups, minutes, failures) = _rollups.Build(batch, minutesFrom);
        foreach (var (table, rows) in (ReadOnlySpan<(string, byte[]?)>)[("group_hours", groups), ("task_minutes", minutes), ("failure_deltas", failures)])
        {
            if (rows is not null)
            {
                _client.Insert(table, rows);
            }
        }

        _rollups.Commit();
    }

    /// <summary>Writes broker queue samples in one insert.</summary>
    public void WriteQueueSamples(IReadOnlyList<QueueSample> samples)
    {
        if (samples.Count > 0)
        {
            _client.Insert("queue_samples", ClickHouseRows.QueueSamples(samples, _instance));
        }
    }

    /// <summary>Writes control audit entries in one insert (issue 26: every instance's audit in one table).</summary>
    public void WriteAudit(IReadOnlyList<Audit.AuditEntry> entries)
    {
        if (entries.Count > 0)
        {
            _client.Insert("audit", ClickHouseAuditStore.Rows(entries, _instance));
        }
    }

    /// <summary>Writes worker states in one insert; the newest sighting of a hostname wins at read.</summary>
    public void WriteWorkers(IReadOnlyList<Workers.WorkerStateRow> rows)
    {
        if (rows.Count > 0)
        {
            _client.Insert("workers", ClickHouseWorkerStates.Rows(rows, _instance, NextVersion()));
        }
    }

    /// <summary>The worker states every instance wrote, newest sighting of each hostname, most recently seen first.</summary>
    public IReadOnlyList<Workers.WorkerStateRow> ReadWorkers(int max) => ClickHouseWorkerStates.Read(_client, max);

    /// <summary>One tiny insert (a meta row), to learn that the store takes writes again.</summary>
    public void ProbeWrite() =>
        _client.Insert("meta", ClickHouseRows.Meta(_instance, "probe", _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), NextVersion()));

    /// <summary>This instance's in-flight checkpoint, most recently updated first.</summary>
    public IReadOnlyList<CheckpointRow> ReadCheckpoint(int max)
    {
        var answer = _client.Query(
            $"SELECT task_id, argMax(state, version) AS s, argMax(updated_at, version) AS u, argMax(deleted, version) AS d FROM {_schema.Database}.inflight " +
            $"WHERE instance = {ClickHouseSql.Quote(_instance)} GROUP BY task_id HAVING d = 0 ORDER BY u DESC LIMIT {ClickHouseSql.Number(Math.Max(0, max))} FORMAT JSONEachRow");
        return ClickHouseAnswers.Rows(answer)
            .Select(r => new CheckpointRow(ClickHouseAnswers.Text(r, "task_id")!, ClickHouseAnswers.Text(r, "s")!, ClickHouseAnswers.Number(r, "u") ?? 0))
            .ToList();
    }

    /// <summary>Records, for this instance's next start, how many records its shutdown drain could not write.</summary>
    public void RecordShutdownDrops(long count) =>
        _client.Insert("meta", ClickHouseRows.Meta(_instance, ShutdownDroppedKey, count.ToString(CultureInfo.InvariantCulture), NextVersion()));

    /// <summary>What this instance's last shutdown recorded; null if nothing.</summary>
    public long? ReadShutdownDrops()
    {
        var answer = _client.Query(
            $"SELECT argMax(value, version) FROM {_schema.Database}.meta WHERE instance = {ClickHouseSql.Quote(_instance)} AND key = {ClickHouseSql.Quote(ShutdownDroppedKey)} " +
            "HAVING count() > 0 FORMAT TabSeparated");
        return long.TryParse(answer.Trim(), CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    /// <summary>The days that hold rows of any day-partitioned table (on this node), oldest first.</summary>
    public IReadOnlyList<DateOnly> Days()
    {
        var tables = string.Join(", ", ClickHouseSchema.DayTables.Select(t => ClickHouseSql.Quote(_schema.Local(t))));
        var answer = _client.Query(
            $"SELECT DISTINCT partition FROM system.parts WHERE active AND database = {ClickHouseSql.Quote(_schema.Database)} AND table IN ({tables}) ORDER BY partition FORMAT TabSeparated");
        return answer.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => DateOnly.TryParseExact(p, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null)
            .OfType<DateOnly>()
            .ToList();
    }

    /// <summary>
    /// One retention step: drops the oldest day past <see cref="RetentionOptions.Days"/> from every table, or the
    /// details of the oldest day past <see cref="RetentionOptions.DetailDays"/>, by <c>ALTER TABLE ... DROP PARTITION</c>
    /// (never a DELETE or a mutation). Returns what it dropped, or null when nothing was due.
    /// </summary>
    public string? DropStep(RetentionOptions retention)
    {
        if (!retention.DropDays)
        {
            return null;
        }

        var window = PartitionWindow.For(_time.GetUtcNow(), retention.Days);
        var days = Days();
        if (days.Count > 0 && days[0] < window.First)
        {
            foreach (var table in ClickHouseSchema.DayTables)
            {
                DropPartition(table, days[0]);
            }

            return $"dropped {days[0]:yyyy-MM-dd} from ClickHouse (retention {retention.Days} days)";
        }

        // The minute rollup keeps two days, as on SQLite: a day entirely older than 48 hours goes.
        var minutesFrom = DateOnly.FromDateTime((_time.GetUtcNow() - Writing.InvocationWriter.MinuteRetention).UtcDateTime);
        if (PartitionDays("task_minutes").FirstOrDefault(d => d < minutesFrom) is { } stale && stale != default)
        {
            DropPartition("task_minutes", stale);
            return $"dropped the minute rollup of {stale:yyyy-MM-dd} from ClickHouse (kept {Writing.InvocationWriter.MinuteRetention.TotalHours:0} hours)";
        }

        if (retention.DetailDays > 0 && retention.DetailDays < retention.Days)
        {
            var detailWindow = PartitionWindow.For(_time.GetUtcNow(), retention.DetailDays);
            // Any of the tables: a step cut short between the drops leaves some of the terms, which the next step drops.
            if (s_detailTables.SelectMany(PartitionDays).Where(d => d < detailWindow.First).DefaultIfEmpty().Min() is var old && old != default)
            {
                // The details' index goes with them (version 3's terms and version 5's hashed ones): a search there
                // would find no text.
                foreach (var table in s_detailTables)
                {
                    DropPartition(table, old);
                }

                return $"dropped the details of {old:yyyy-MM-dd} from ClickHouse (detail retention {retention.DetailDays} days)";
            }
        }

        return null;
    }

    public void Dispose() => _client.Dispose();

    private DateOnly Today => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private IEnumerable<DateOnly> PartitionDays(string table)
    {
        var answer = _client.Query(
            $"SELECT DISTINCT partition FROM system.parts WHERE active AND database = {ClickHouseSql.Quote(_schema.Database)} AND table = {ClickHouseSql.Quote(_schema.Local(table))} ORDER BY partition FORMAT TabSeparated");
        return answer.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => DateOnly.ParseExact(p, "yyyyMMdd", CultureInfo.InvariantCulture));
    }

    private void DropPartition(string table, DateOnly day) =>
        // The partition id comes from a parsed date, never from text: toYYYYMMDD's id is its digits.
        _client.Query($"ALTER TABLE {_schema.Database}.{_schema.Local(table)}{_schema.OnCluster} DROP PARTITION {ClickHouseSql.PartitionId(day)}");

    /// <summary>
    /// A version for replacing rows that only grows, even when the clock steps back: the newest write of a key wins.
    /// </summary>
    private ulong NextVersion()
    {
        var now = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds()) * 1000;
        _version = Math.Max(now, _version + 1);
        return _version;
    }
}
