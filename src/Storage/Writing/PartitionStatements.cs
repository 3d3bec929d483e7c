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
    private readonly SqliteCommand _insertInvocation;
    private readonly SqliteParameter[] _insertParameters;
    private readonly SqliteCommand _insertDetails;
    private readonly SqliteCommand _upsertInvocation;
    private readonly SqliteParameter[] _invocationParameters;
    private readonly SqliteCommand _upsertDetailsNewer;
    private readonly SqliteCommand _upsertDetailsOlder;
    private readonly SqliteCommand _selectStored;
    private readonly SqliteConnection _connection;
    private readonly WorkerGroups _groups;
    private readonly bool _keepDetails;

    /// <param name="keepDetails">False for a day past detail retention: rows and rollups only.</param>
    public PartitionStatements(SqliteConnection connection, DayPartition partition, WorkerGroups groups, bool keepDetails = true)
    {
        _connection = connection;
        _groups = groups;
        _keepDetails = keepDetails;
        Partition = partition;
        (_insertInvocation, _insertParameters) = Create(connection, InsertInvocationSql(partition), PartitionSchema.InvocationColumns);
        _insertDetails = Create(connection, $"INSERT INTO {partition.DetailsSql} (id, args, kwargs, result, traceback) VALUES (last_insert_rowid(), $args, $kwargs, $result, $traceback)", PartitionSchema.DetailColumns).Command;
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
    /// </remarks>
    public bool Write(InvocationRecord r, SqliteTransaction transaction, RollupBatch rollups, SearchBatch search)
    {
        Bind(_insertParameters, r);
        _insertInvocation.Transaction = transaction;
        // One change means the row is new; its details take its rowid through last_insert_rowid(), so no
        // reader is opened on this path (RETURNING cost a reader per row in the benchmark).
        if (_insertInvocation.ExecuteNonQuery() == 1)
        {
            if (_keepDetails && HasDetails(r))
            {
                BindDetails(_insertDetails, r, transaction);
                _insertDetails.ExecuteNonQuery();
                search.Added(Partition, SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle), r.Args, r.Kwargs, r.Result ?? SearchableFailure(r));
            }

            rollups.Add(Partition, RollupContribution.Of(r, _groups), +1);
            return true;
        }

        Merge(r, transaction, rollups, search);
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

    private void Merge(InvocationRecord r, SqliteTransaction transaction, RollupBatch rollups, SearchBatch search)
    {
        if (ReadStored(r.TaskId, transaction) is { } stored)
        {
            rollups.Add(Partition, stored, -1);
        }

        Bind(_invocationParameters, r);
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

        if (!_keepDetails || !HasDetails(r))
        {
            return;
        }

        // The row kept this record's state only if its state_at is now the stored one; an older record
        // may still fill in args and kwargs that the newer one lacked (a task re-tracked after a restart).
        var details = storedStateAt <= r.StateAt ? _upsertDetailsNewer : _upsertDetailsOlder;
        details.Parameters[0].Value = id;
        BindDetails(details, r, transaction, offset: 1);
        using var merged = details.ExecuteReader();
        merged.Read();
        search.Replaced(Partition, id, Text(merged, 0), Text(merged, 1), Text(merged, 2) ?? SearchableFailure(r));
    }

    private static bool HasDetails(InvocationRecord r) =>
        r.Args is not null || r.Kwargs is not null || r.Result is not null || r.Traceback is not null || r.Exception is not null;

    /// <summary>
    /// What a failure is found by: its exception (type and message) and the last frame of its traceback (where it
    /// was raised), indexed in the result's place, which a failure leaves empty. Nothing for a success.
    /// </summary>
    internal static string? SearchableFailure(InvocationRecord r)
    {
        if (r.Exception is null && r.Traceback is null)
        {
            return null;
        }

        var frame = "";
        if (r.Traceback is { } tb)
        {
            var last = tb.LastIndexOf("  File \"", StringComparison.Ordinal);
            if (last >= 0)
            {
                var end = tb.IndexOf('\n', last);
                end = end < 0 ? tb.Length : tb.IndexOf('\n', end + 1) is var next and >= 0 ? next : tb.Length;
                frame = tb[last..end];
            }
        }

        return $"{r.Exception} {frame}".Trim();
    }

    private static string? Text(SqliteDataReader reader, int at) => reader.IsDBNull(at) ? null : reader.GetString(at);

    private static void BindDetails(SqliteCommand details, InvocationRecord r, SqliteTransaction transaction, int offset = 0)
    {
        details.Transaction = transaction;
        details.Parameters[offset].Value = Db(r.Args);
        details.Parameters[offset + 1].Value = Db(r.Kwargs);
        details.Parameters[offset + 2].Value = Db(r.Result);
        details.Parameters[offset + 3].Value = Db(r.Traceback);
    }

    private static void Bind(SqliteParameter[] p, InvocationRecord r)
    {
        p[0].Value = r.TaskId;
        p[1].Value = Db(r.Name);
        p[2].Value = r.State;
        p[3].Value = Db(r.Worker);
        p[4].Value = Db(r.Queue);
        p[5].Value = Db(r.SentAt);
        p[6].Value = Db(r.ReceivedAt);
        p[7].Value = Db(r.StartedAt);
        p[8].Value = Db(r.FinishedAt);
        p[9].Value = r.StateAt;
        p[10].Value = Db(r.RuntimeSeconds);
        p[11].Value = r.Retries;
        p[12].Value = Db(r.ExceptionType);
        p[13].Value = Db(r.Exception);
        p[14].Value = Db(r.ParentId);
        p[15].Value = StoredRow.RootId(r);
        p[16].Value = Db(r.Eta);
        p[17].Value = Db(r.Expires);
        p[18].Value = r.Terminated is { } t ? (t ? 1 : 0) : DBNull.Value;
        p[19].Value = r.Expired is { } e ? (e ? 1 : 0) : DBNull.Value;
        p[20].Value = Db(r.Signum);
    }

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
        string[] exact = ["state", "finished_at", "runtime_s", "exception_type", "exception", "terminated", "expired", "signum"];
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
