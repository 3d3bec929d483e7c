using Ingest.Storage.Details;
using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// The prepared statements that write one day. Created once per day and reused for every batch: setting
/// <c>CommandText</c> again would throw the compiled statements away. Disposed before that day is dropped.
/// </summary>
internal sealed class PartitionStatements : IDisposable
{
    private readonly RawStatement _insertInvocation;
    private readonly RawStatement _insertDetails;
    private readonly SqliteCommand _upsertInvocation;
    private readonly SqliteParameter[] _invocationParameters;
    private readonly SqliteCommand _upsertDetailsNewer;
    private readonly SqliteCommand _upsertDetailsOlder;
    private readonly SqliteCommand _selectStored;
    private readonly SqliteConnection _connection;
    private readonly WorkerGroups _groups;
    private readonly bool _keepDetails;
    private readonly DetailStore _detailStore;

    /// <param name="connection">The writer's connection.</param>
    /// <param name="partition">The day.</param>
    /// <param name="groups">The writer's worker grouping.</param>
    /// <param name="detailStore">Stores the dictionaries compressed rows name, and reads compressed values back for a merge.</param>
    /// <param name="keepDetails">False for a day past detail retention: rows and rollups only.</param>
    public PartitionStatements(SqliteConnection connection, DayPartition partition, WorkerGroups groups, DetailStore detailStore, bool keepDetails = true)
    {
        _connection = connection;
        _detailStore = detailStore;
        _groups = groups;
        _keepDetails = keepDetails;
        Partition = partition;
        // The two statements almost every record runs are bound raw (issue 29); the rare merge keeps the commands.
        _insertInvocation = new RawStatement(connection, InsertInvocationSql(partition));
        _insertDetails = new RawStatement(connection, $"INSERT INTO {partition.DetailsSql} (id, args, kwargs, result, traceback) VALUES (last_insert_rowid(), $args, $kwargs, $result, $traceback)");
        (_upsertInvocation, _invocationParameters) = Create(connection, UpsertInvocationSql(partition), PartitionSchema.InvocationColumns);
        _upsertDetailsNewer = Create(connection, UpsertDetailsSql(partition, newer: true), ["id", .. PartitionSchema.DetailColumns]).Command;
        _upsertDetailsOlder = Create(connection, UpsertDetailsSql(partition, newer: false), ["id", .. PartitionSchema.DetailColumns]).Command;
        _selectStored = Create(connection, $"SELECT {StoredRow.Columns} FROM {partition.InvocationsSql} WHERE task_id = $task_id", ["task_id"]).Command;
    }

    public DayPartition Partition { get; }

    /// <summary>
    /// Writes one record and adds what it changes to <paramref name="rollups"/> (the new row's contribution, or
    /// for a merge the stored version's taken back and the merged one's added) and to <paramref name="search"/>
    /// (the row's text). Returns true for a new row.
    /// </summary>
    /// <remarks>
    /// Almost every record is a task id new to its day: it takes a plain insert (as cheap as the raw loop). Only
    /// when the id exists (a RETRY replaced by its outcome, a late event, a restart) does the merging upsert run.
    /// Everything that is not a SQLite call (the day, the contribution, the search text, root_id) came prepared
    /// (issue 29).
    /// </remarks>
    public bool Write(PreparedWrite p, SqliteTransaction transaction, RollupBatch rollups, SearchBatch search)
    {
        var r = p.Record;
        // A dictionary is stored in the transaction of the first row compressed with it (once per dictionary), and
        // before the row: the details take the row's id from last_insert_rowid().
        if (_keepDetails && p.Dictionary is { Stored: false } dictionary)
        {
            _detailStore.Store(dictionary, transaction);
        }

        BindRow(_insertInvocation, p);
        // One change means the row is new; its details take its rowid through last_insert_rowid(), so no
        // reader is opened on this path (RETURNING cost a reader per row in the benchmark).
        if (_insertInvocation.Execute() == 1)
        {
            if (_keepDetails && p.HasDetails)
            {
                // Compressed (a BLOB) by the producer, or text: either way only bound here.
                _insertDetails.Detail(1, p.StoredArgs);
                _insertDetails.Detail(2, p.StoredKwargs);
                _insertDetails.Detail(3, p.StoredResult);
                _insertDetails.Detail(4, p.StoredTraceback);
                _insertDetails.Execute();
                search.Added(Partition, SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle), r.HeldArgs, r.HeldKwargs, p.SearchText);
            }

            rollups.Add(Partition, p.Groups.GroupsLike(_groups) ? p.Contribution : RollupContribution.Of(r, _groups), +1);
            return true;
        }

        Merge(p, transaction, rollups, search);
        return false;
    }

    /// <summary>The stored row for a task id as a rollup contribution (null if this day has no such row).</summary>
    public RollupContribution? ReadStored(string taskId, SqliteTransaction transaction)
    {
        _selectStored.Parameters[0].Value = taskId;
        _selectStored.Transaction = transaction;
        using var reader = _selectStored.ExecuteReader();
        return reader.Read() ? StoredRow.ReadContribution(reader, 0, _groups) : null;
    }

    private void Merge(PreparedWrite p, SqliteTransaction transaction, RollupBatch rollups, SearchBatch search)
    {
        var r = p.Record;
        if (ReadStored(r.TaskId, transaction) is { } stored)
        {
            rollups.Add(Partition, stored, -1);
        }

        Bind(_invocationParameters, RowValues(r));
        _upsertInvocation.Transaction = transaction;
        long id;
        double storedStateAt;
        using (var reader = _upsertInvocation.ExecuteReader())
        {
            reader.Read();
            id = reader.GetInt64(0);
            storedStateAt = reader.GetDouble(1);
            rollups.Add(Partition, StoredRow.ReadContribution(reader, 2, _groups), +1);
        }

        if (!_keepDetails || !p.HasDetails)
        {
            return;
        }

        // The row kept this record's state only if its state_at is now the stored one; an older record
        // may still fill in args and kwargs that the newer one lacked (a task re-tracked after a restart).
        var details = storedStateAt <= r.StateAt ? _upsertDetailsNewer : _upsertDetailsOlder;
        details.Parameters[0].Value = id;
        BindDetails(details, p, transaction, offset: 1);
        using var merged = details.ExecuteReader();
        merged.Read();
        // The merged row's text for its index entry; a value kept compressed is read back (a merge is rare).
        search.Replaced(Partition, id, Text(merged, 0, transaction), Text(merged, 1, transaction), Text(merged, 2, transaction) ?? p.SearchText);
    }

    /// <summary>
    /// What a failure is found by: its exception (type and message) and the last frame of its traceback (where it
    /// was raised), indexed in the result's place, which a failure leaves empty. Nothing for a success.
    /// </summary>
    internal static string? SearchableFailure(InvocationRecord r) => SearchableFailure(r.Exception, r.Traceback);

    /// <summary>The same text from a stored row's exception and traceback (a day indexed without positions checks phrases against it).</summary>
    internal static string? SearchableFailure(string? exception, string? traceback)
    {
        if (exception is null && traceback is null)
        {
            return null;
        }

        var frame = "";
        if (traceback is { } tb)
        {
            var last = tb.LastIndexOf("  File \"", StringComparison.Ordinal);
            if (last >= 0)
            {
                var end = tb.IndexOf('\n', last);
                end = end < 0 ? tb.Length : tb.IndexOf('\n', end + 1) is var next and >= 0 ? next : tb.Length;
                frame = tb[last..end];
            }
        }

        return $"{exception} {frame}".Trim();
    }

    private string? Text(SqliteDataReader reader, int at, SqliteTransaction transaction) =>
        reader.IsDBNull(at) ? null
        : reader.GetValue(at) is byte[] stored ? _detailStore.Decode(Partition.Day, stored, transaction)
        : reader.GetString(at);

    /// <summary>A stored details value as a command's parameter: a compact text as its string, null as NULL.</summary>
    private static object Parameter(object? stored) => (stored is CompactText compact ? compact.ToString() : stored) ?? DBNull.Value;

    private static void BindDetails(SqliteCommand details, PreparedWrite p, SqliteTransaction transaction, int offset = 0)
    {
        details.Transaction = transaction;
        // A long text held compact is made a string here: this is the merge of a row already stored, not the insert.
        details.Parameters[offset].Value = Parameter(p.StoredArgs);
        details.Parameters[offset + 1].Value = Parameter(p.StoredKwargs);
        details.Parameters[offset + 2].Value = Parameter(p.StoredResult);
        details.Parameters[offset + 3].Value = Parameter(p.StoredTraceback);
    }

    /// <summary>Binds a row's values in <see cref="PartitionSchema.InvocationColumns"/> order (the insert's parameters 1 to 22).</summary>
    private static void BindRow(RawStatement s, PreparedWrite p)
    {
        var r = p.Record;
        // Spans of the values in column order, on the stack (an inline array, not a heap array per row).
        BindTexts(s, 1, [r.TaskId, r.Name, r.State, r.Worker, r.Queue]);
        ReadOnlySpan<double?> times = [r.SentAt, r.ReceivedAt, r.StartedAt, r.FinishedAt, r.StateAt, r.RuntimeSeconds];
        for (var i = 0; i < times.Length; i++)
        {
            s.Real(6 + i, times[i]);
        }

        s.Integer(12, r.Retries);
        BindTexts(s, 13, [p.Contribution.ExceptionType, r.Exception, r.ParentId, p.RootId, r.Eta, r.Expires]);
        s.Integer(19, r.Terminated is { } t ? (t ? 1 : 0) : null);
        s.Integer(20, r.Expired is { } e ? (e ? 1 : 0) : null);
        s.Integer(21, r.Signum);
        s.Integer(22, r.DetailsSampled ? 1 : null);
    }

    private static void BindTexts(RawStatement s, int first, ReadOnlySpan<string?> texts)
    {
        for (var i = 0; i < texts.Length; i++)
        {
            s.Text(first + i, texts[i]);
        }
    }

    private static void Bind(SqliteParameter[] p, object[] values)
    {
        for (var i = 0; i < p.Length; i++)
        {
            p[i].Value = values[i];
        }
    }

    /// <summary>A row's values in <see cref="PartitionSchema.InvocationColumns"/> order for the merging upsert's parameters, DBNull for null.</summary>
    internal static object[] RowValues(InvocationRecord r) =>
    [
        r.TaskId,
        Db(r.Name),
        r.State,
        Db(r.Worker),
        Db(r.Queue),
        Db(r.SentAt),
        Db(r.ReceivedAt),
        Db(r.StartedAt),
        Db(r.FinishedAt),
        r.StateAt,
        Db(r.RuntimeSeconds),
        r.Retries,
        Db(r.ExceptionType),
        Db(r.Exception),
        Db(r.ParentId),
        StoredRow.RootId(r),
        Db(r.Eta),
        Db(r.Expires),
        r.Terminated is { } t ? (t ? 1 : 0) : DBNull.Value,
        r.Expired is { } e ? (e ? 1 : 0) : DBNull.Value,
        Db(r.Signum),
        r.DetailsSampled ? 1 : DBNull.Value,
    ];

    public void Dispose()
    {
        _insertInvocation.Dispose();
        _insertDetails.Dispose();
        _upsertInvocation.Dispose();
        _upsertDetailsNewer.Dispose();
        _upsertDetailsOlder.Dispose();
        _selectStored.Dispose();
    }

    private static (SqliteCommand Command, SqliteParameter[] Parameters) Create(SqliteConnection connection, string sql, string[] columns)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameters = new SqliteParameter[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            parameters[i] = command.Parameters.Add(new SqliteParameter("$" + columns[i], DBNull.Value));
        }

        return (command, parameters);
    }

    /// <summary>
    /// Upsert by task id. In <c>DO UPDATE</c> a bare column is the stored value and <c>excluded.x</c> the new one;
    /// all SET expressions see the stored row as it was. The newer record (by state_at) decides state, finish and
    /// error fields outright; descriptive fields take the newer non-null value and fall back to the other;
    /// retries only grows.
    /// </summary>
    private static string UpsertInvocationSql(DayPartition p)
    {
        const string Newer = "excluded.state_at >= state_at";
        string[] exact = ["state", "finished_at", "runtime_s", "exception_type", "exception", "terminated", "expired", "signum", PartitionSchema.SampledColumn];
        string[] merged = ["name", "worker", "queue", "sent_at", "received_at", "started_at", "parent_id", "root_id", "eta", "expires"];
        var sets = exact.Select(c => $"{c} = CASE WHEN {Newer} THEN excluded.{c} ELSE {c} END")
            .Concat(merged.Select(c => $"{c} = CASE WHEN {Newer} THEN COALESCE(excluded.{c}, {c}) ELSE COALESCE({c}, excluded.{c}) END"))
            .Append("retries = MAX(retries, excluded.retries)")
            .Append("state_at = MAX(state_at, excluded.state_at)");
        var columns = PartitionSchema.InvocationColumns;
        return $"""
            INSERT INTO {p.InvocationsSql} ({string.Join(", ", columns)})
            VALUES ({string.Join(", ", columns.Select(c => "$" + c))})
            ON CONFLICT (task_id) DO UPDATE SET {string.Join(", ", sets)}
            RETURNING id, state_at, {StoredRow.Columns}
            """;
    }

    private static string InsertInvocationSql(DayPartition p)
    {
        var columns = PartitionSchema.InvocationColumns;
        return $"""
            INSERT INTO {p.InvocationsSql} ({string.Join(", ", columns)})
            VALUES ({string.Join(", ", columns.Select(c => "$" + c))})
            ON CONFLICT (task_id) DO NOTHING
            """;
    }

    private static string UpsertDetailsSql(DayPartition p, bool newer)
    {
        var sets = newer
            ? "args = COALESCE(excluded.args, args), kwargs = COALESCE(excluded.kwargs, kwargs), result = excluded.result, traceback = excluded.traceback"
            : "args = COALESCE(args, excluded.args), kwargs = COALESCE(kwargs, excluded.kwargs)";
        return $"""
            INSERT INTO {p.DetailsSql} (id, args, kwargs, result, traceback) VALUES ($id, $args, $kwargs, $result, $traceback)
            ON CONFLICT (id) DO UPDATE SET {sets}
            RETURNING args, kwargs, result
            """;
    }

    private static object Db(string? value) => value is null ? DBNull.Value : value;

    private static object Db(double? value) => value is { } v ? v : DBNull.Value;

    private static object Db(int? value) => value is { } v ? v : DBNull.Value;
}
