using System.Buffers;
using System.Text.Json;
using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// A batch's rollup deltas as JSONEachRow bodies for migration 2's tables (facet hours, minutes, failure deltas),
/// worked out with the SQLite writer's <see cref="RollupBatch"/>: the same keys, counts and histograms.
/// </summary>
/// <remarks>
/// The SQLite writer learns what a record replaces by writing it: the insert-first probe finds the stored row of its
/// task id, takes that row's contribution back (-1) and adds the merged row's (+1), so every task counts once, in its
/// latest state. ClickHouse is never read before a write (several instances write at once, and a read per record
/// would cost what the batch does), so this class remembers instead what this instance itself last counted for each
/// task id (its merged fields, a few hundred bytes; at most <c>maxRemembered</c>, the oldest forgotten first and
/// counted in <see cref="Forgotten"/>), and takes that back when the task comes again: a RETRY followed by its
/// outcome, a late event, a task written early by the tracker. Where that differs from SQLite:
/// <list type="bullet">
/// <item>A task id this instance no longer remembers (forgotten at the cap, or written before a restart) counts
/// again in its new state, beside the old one, where SQLite takes the stored row back.</item>
/// <item>A task whose events reached several instances (competing consumers) is counted by each instance that wrote a
/// row of it, each in the state it saw; reads of the invocation merge those rows, the rollups do not. Runs of
/// different tasks on different instances add up exactly.</item>
/// <item>A task that moved to a later day is taken back from its earlier day whenever it is remembered; SQLite
/// takes the earlier row back only when the record's first event lies on that earlier day.</item>
/// </list>
/// What is remembered changes only when the batch's inserts succeeded (<see cref="Commit"/>): a batch written again
/// after a failure takes back exactly what the last successful write added.
/// </remarks>
internal sealed class ClickHouseRollupRows
{
    /// <summary>
    /// Task ids remembered by default: a few hundred bytes each (the merged fields and the id's string), tens of MB at
    /// the cap; a 100,000-task replay ran at 300 MB peak RSS with it, 235 MB before rollups were written.
    /// </summary>
    public const int DefaultMaxRemembered = 65_536;

    private static readonly string[] s_stateColumns = PartitionSchema.StateCountColumns;

    private readonly RollupBatch _batch = new();
    private readonly WorkerGroups _groups;
    private readonly int _maxRemembered;
    private readonly Dictionary<string, (Counted Row, long Seq)> _remembered = new(StringComparer.Ordinal);
    private readonly Queue<(string TaskId, long Seq)> _order = new();
    private readonly Dictionary<string, Counted> _pending = new(StringComparer.Ordinal);
    private long _seq;

    /// <param name="groups">How workers are grouped (the facet rollup's worker_group).</param>
    /// <param name="maxRemembered">Task ids remembered for taking back (the cap of this cache).</param>
    public ClickHouseRollupRows(WorkerGroups groups, int maxRemembered = DefaultMaxRemembered)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRemembered, 1);
        _groups = groups;
        _maxRemembered = maxRemembered;
    }

    /// <summary>Task ids forgotten at the cap since start: each one, if it comes again, counts again.</summary>
    public long Forgotten { get; private set; }

    /// <summary>Task ids remembered now.</summary>
    public int Remembered => _remembered.Count;

    /// <summary>
    /// The deltas of <paramref name="batch"/>: facet-hour rows, minute rows (records timed at or after
    /// <paramref name="minutesFrom"/>) and failure deltas, each null when empty. Pending until <see cref="Commit"/>.
    /// </summary>
    public (byte[]? Groups, byte[]? Minutes, byte[]? Failures) Build(IReadOnlyList<InvocationRecord> batch, double minutesFrom)
    {
        _pending.Clear();
        _batch.MinutesFrom = minutesFrom;
        try
        {
            foreach (var r in batch)
            {
                var row = Counted.Of(r);
                if (_pending.TryGetValue(r.TaskId, out var earlier) || Recall(r.TaskId, out earlier))
                {
                    _batch.Add(new DayPartition(earlier.Day), earlier.Contribution(r.TaskId, _groups), -1);
                    row = earlier.Merge(row);
                }

                _batch.Add(new DayPartition(row.Day), row.Contribution(r.TaskId, _groups), +1);
                _pending[r.TaskId] = row;
            }

            return (Facets(_batch.Groups), Facets(_batch.Minutes), FailureDeltas(_batch.FailureGroups));
        }
        finally
        {
            _batch.Clear();
        }
    }

    /// <summary>Remembers what the last <see cref="Build"/> counted: call once its inserts succeeded.</summary>
    public void Commit()
    {
        foreach (var (taskId, row) in _pending)
        {
            var seq = ++_seq;
            _remembered[taskId] = (row, seq);
            _order.Enqueue((taskId, seq));
        }

        _pending.Clear();
        while (_remembered.Count > _maxRemembered && _order.TryDequeue(out var oldest))
        {
            if (_remembered.TryGetValue(oldest.TaskId, out var entry) && entry.Seq == oldest.Seq && _remembered.Remove(oldest.TaskId))
            {
                Forgotten++;
            }
        }

        // Ids written again leave stale places in the queue; past twice the cap, it is rebuilt from what is remembered.
        if (_order.Count > 2 * _maxRemembered)
        {
            var live = _remembered.Select(e => (e.Key, e.Value.Seq)).OrderBy(e => e.Seq).ToList();
            _order.Clear();
            foreach (var e in live)
            {
                _order.Enqueue(e);
            }
        }
    }

    private bool Recall(string taskId, out Counted row)
    {
        var found = _remembered.TryGetValue(taskId, out var entry);
        row = entry.Row;
        return found;
    }

    /// <summary>Facet rows keyed (day, name, queue, group, hour or minute): the minute table's "hour" holds the minute's start.</summary>
    private static byte[]? Facets<TKey>(IEnumerable<KeyValuePair<TKey, TaskHourDelta>> rows)
        where TKey : struct, System.Runtime.CompilerServices.ITuple
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var (k, delta) in rows)
        {
            ClickHouseRows.Line(buffer, w =>
            {
                w.WriteString("day", ClickHouseRows.Day((DateOnly)k[0]!));
                w.WriteString("name", ClickHouseRows.Text((string)k[1]!));
                w.WriteString("queue", ClickHouseRows.Text((string)k[2]!));
                w.WriteString("worker_group", ClickHouseRows.Text((string)k[3]!));
                w.WriteNumber("hour", (long)k[4]!);
                w.WriteNumber("total", delta.Total);
                for (var i = 0; i < s_stateColumns.Length; i++)
                {
                    w.WriteNumber(s_stateColumns[i], delta.States[i]);
                }

                w.WriteNumber("runtime_count", delta.RuntimeCount);
                w.WriteNumber("runtime_sum", Finite(delta.RuntimeSum));
                w.WriteNumber("queue_wait_count", delta.QueueWaitCount);
                w.WriteNumber("queue_wait_sum", Finite(delta.QueueWaitSum));
                w.WriteNumber("pickup_count", delta.PickupCount);
                w.WriteNumber("pickup_sum", Finite(delta.PickupSum));
                Histogram(w, "runtimesMap", delta.Runtimes);
                Histogram(w, "queueWaitsMap", delta.QueueWaits);
                Histogram(w, "pickupsMap", delta.Pickups);
            });
        }

        return buffer.WrittenCount == 0 ? null : buffer.WrittenSpan.ToArray();
    }

    private static byte[]? FailureDeltas(IEnumerable<KeyValuePair<(DateOnly Day, string Name, string ExceptionType, string Queue, string Group, long Hour), FailureHourDelta>> rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var (k, delta) in rows)
        {
            ClickHouseRows.Line(buffer, w =>
            {
                var seen = delta.ExampleTaskId is not null;
                w.WriteString("day", ClickHouseRows.Day(k.Day));
                w.WriteString("name", ClickHouseRows.Text(k.Name));
                w.WriteString("exception_type", ClickHouseRows.Text(k.ExceptionType));
                w.WriteString("queue", ClickHouseRows.Text(k.Queue));
                w.WriteString("worker_group", ClickHouseRows.Text(k.Group));
                w.WriteNumber("hour", k.Hour);
                w.WriteNumber("count", delta.Count);
                w.WriteNumber("seen", seen ? 1 : 0);
                w.WriteNumber("first_seen", seen ? Finite(delta.FirstSeen) : 0);
                w.WriteNumber("last_seen", seen ? Finite(delta.LastSeen) : 0);
                w.WriteString("example_task_id", ClickHouseRows.Text(delta.ExampleTaskId ?? ""));
            });
        }

        return buffer.WrittenCount == 0 ? null : buffer.WrittenSpan.ToArray();
    }

    /// <summary>A histogram as the two arrays of a Nested map (empty for none).</summary>
    private static void Histogram(Utf8JsonWriter w, string map, HistogramDelta? histogram)
    {
        var pairs = histogram?.Pairs().ToList() ?? [];
        w.WriteStartArray(map + ".bucket");
        foreach (var (bucket, _) in pairs)
        {
            w.WriteNumberValue(bucket);
        }

        w.WriteEndArray();
        w.WriteStartArray(map + ".count");
        foreach (var (_, count) in pairs)
        {
            w.WriteNumberValue(count);
        }

        w.WriteEndArray();
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    /// <summary>
    /// What one task id counted for, merged as the SQLite upsert merges a stored row with a new record: the newer by
    /// state time decides state, finish, runtime and error; descriptive fields take the newer value that is not null.
    /// </summary>
    private readonly record struct Counted(
        string? Name, string State, double StateAt, double? FinishedAt, double? Runtime, string? ExceptionType,
        string? Queue, string? Worker, double? SentAt, double? ReceivedAt, double? StartedAt)
    {
        public DateOnly Day => DayPartition.DayOf(FinishedAt ?? StateAt);

        public static Counted Of(InvocationRecord r) =>
            new(r.Name, r.State, r.StateAt, r.FinishedAt, r.RuntimeSeconds, r.ExceptionType, r.Queue, r.Worker, r.SentAt, r.ReceivedAt, r.StartedAt);

        public RollupContribution Contribution(string taskId, WorkerGroups groups) =>
            new(Name ?? "", State, Runtime, FinishedAt ?? StateAt, ExceptionType, taskId, Queue ?? "", groups.Of(Worker),
                RollupContribution.Wait(SentAt, ReceivedAt), RollupContribution.Wait(ReceivedAt, StartedAt));

        public Counted Merge(Counted next)
        {
            var newer = next.StateAt >= StateAt;
            var (a, b) = newer ? (next, this) : (this, next);
            return new Counted(
                a.Name ?? b.Name, a.State, Math.Max(StateAt, next.StateAt), a.FinishedAt, a.Runtime, a.ExceptionType,
                a.Queue ?? b.Queue, a.Worker ?? b.Worker, a.SentAt ?? b.SentAt, a.ReceivedAt ?? b.ReceivedAt, a.StartedAt ?? b.StartedAt);
        }
    }
}
