using Ingest.Storage.Partitions;

namespace Ingest.Storage.Reading;

/// <summary>
/// One table that reads draw from: a day partition, or the pre-partition legacy table mapped into the same
/// column list. Every column expression is fixed text; only table names from <see cref="DayPartition"/> or
/// the two legacy constants are spliced in.
/// </summary>
internal sealed class ReadSource
{
    /// <summary>The column list every source projects, in <see cref="InvocationRowReader"/>'s order.</summary>
    internal const string ProjectionDoc = "task_id, name, state, worker, queue, sent_at, received_at, started_at, finished_at, state_at, runtime_s, retries, exception, parent_id, root_id, eta, expires, terminated, expired, signum, args, kwargs, result, traceback, details_sampled";

    /// <summary>
    /// The SQL function that reads a compressed details value back (issue 29), registered on each read's connection
    /// by <see cref="InvocationReader"/>: <c>ingest_detail(day number, blob)</c>. Called only for a BLOB, so a text
    /// value (raw, or any day made earlier) costs nothing more than before.
    /// </summary>
    internal const string DetailFunction = "ingest_detail";

    private ReadSource(string table, string from, string select, string nameColumn, string stateAtColumn, string rowIdColumn = "i.id",
        string queueColumn = "i.queue", string exceptionTypeColumn = "i.exception_type")
    {
        QueueColumn = queueColumn;
        ExceptionTypeColumn = exceptionTypeColumn;
        RowIdColumn = rowIdColumn;
        Table = table;
        From = from;
        Select = select;
        NameColumn = nameColumn;
        StateAtColumn = stateAtColumn;
    }

    /// <summary>The queue column (NULL where the schema has none).</summary>
    public string QueueColumn { get; }

    /// <summary>The exception class name column (NULL where the schema has none).</summary>
    public string ExceptionTypeColumn { get; }

    /// <summary>The column the full-text index's rowid refers to.</summary>
    public string RowIdColumn { get; }

    /// <summary>The label a value search reports this source under when it could not search it.</summary>
    public string Label { get; private init; } = "";

    /// <summary>The full-text index of this source, when it has one (delimited).</summary>
    public string? SearchTable { get; private init; }

    /// <summary>
    /// Whether this source's index keeps no token positions (a day made since issue 29): it is asked
    /// <c>$fts_tokens</c> (<see cref="PositionlessQuery.IndexQuery"/>) instead of <c>$fts</c>.
    /// </summary>
    public bool Positionless { get; private init; }

    /// <summary>The query parameter this source's index is asked with.</summary>
    public string FtsParameter => Positionless ? "$fts_tokens" : "$fts";

    /// <summary>
    /// This source driven by its full-text index: the index's matches first (<c>CROSS JOIN</c> fixes that
    /// order in SQLite), then a primary-key lookup per match; no row is visited that does not match.
    /// </summary>
    /// <param name="check">Whether a positionless index's candidates are checked for the query's phrases.</param>
    public ReadSource Searching(bool check = false) => new(Table, $"{SearchTable}({FtsParameter}) AS s CROSS JOIN {From}", Select, NameColumn, StateAtColumn, RowIdColumn, QueueColumn, ExceptionTypeColumn)
    {
        Label = Label,
        SearchTable = SearchTable,
        Positionless = Positionless,
        CheckedColumns = CheckedColumns,
        SearchJoin = $" AND {RowIdColumn} = s.rowid{PhraseCheck(check)}",
    };

    /// <summary>
    /// This source in its own time order, each row checked against the index by rowid: for a value so common
    /// that sorting all its matches would cost more than walking to the first page.
    /// </summary>
    /// <param name="check">Whether a positionless index's candidates are checked for the query's phrases.</param>
    /// <param name="scan">Whether a positionless day's rows are matched from their text alone (<see cref="PositionlessQuery.CanScan"/>).</param>
    public ReadSource Filtering(bool check = false, bool scan = false) => new(Table, From, Select, NameColumn, StateAtColumn, RowIdColumn, QueueColumn, ExceptionTypeColumn)
    {
        Label = Label,
        SearchTable = SearchTable,
        Positionless = Positionless,
        CheckedColumns = CheckedColumns,
        // One conjunction, so that SQLite asks the index first and runs the check only on the rows it names.
        SearchJoin = scan && Positionless
            ? $" AND {PositionlessQuery.CheckFunction}(1, {CheckedColumns})"
            : $" AND (EXISTS (SELECT 1 FROM {SearchTable} WHERE {SearchTable} MATCH {FtsParameter} AND rowid = {RowIdColumn}){PhraseCheck(check)})",
    };

    /// <summary>The phrase check of a day's candidates (day sources only).</summary>
    private string PhraseCheck(bool check) => check && Positionless ? $" AND {PositionlessQuery.CheckFunction}(0, {CheckedColumns})" : "";

    /// <summary>The columns a day's index was built from, as the check function takes them (day sources only), read back as text.</summary>
    private string CheckedColumns { get; init; } = "";

    /// <summary>A day's details column as text: a compressed value (a BLOB) through <see cref="DetailFunction"/>.</summary>
    private static string Detail(DayPartition p, string column) =>
        $"CASE WHEN typeof(d.{column}) = 'blob' THEN {DetailFunction}({p.Day.DayNumber}, d.{column}) ELSE d.{column} END";

    /// <summary>The join condition a searching source adds to its WHERE clause.</summary>
    public string SearchJoin { get; private init; } = "";

    /// <summary>The delimited main table, used for the dedupe probe by task_id.</summary>
    public string Table { get; }

    public string From { get; }

    public string Select { get; }

    public string NameColumn { get; }

    /// <summary>The expression rows are ordered and time-filtered by (an indexed column where possible).</summary>
    public string StateAtColumn { get; }

    /// <param name="p">The day.</param>
    /// <param name="searchable">Whether the day has its full-text index.</param>
    /// <param name="sampledColumn">Whether the day's table has the detail sample's flag (a day of an earlier version not yet opened by a writer has not).</param>
    /// <param name="positionless">Whether the day's index keeps no token positions (<see cref="Positionless"/>).</param>
    public static ReadSource ForDay(DayPartition p, bool searchable, bool sampledColumn = true, bool positionless = false) => new(
        p.InvocationsSql,
        $"{p.InvocationsSql} AS i LEFT JOIN {p.DetailsSql} AS d ON d.id = i.id",
        "i.task_id, i.name, i.state, i.worker, i.queue, i.sent_at, i.received_at, i.started_at, i.finished_at, i.state_at, "
        + "i.runtime_s, i.retries, i.exception, i.parent_id, i.root_id, i.eta, i.expires, i.terminated, i.expired, i.signum, "
        + $"{Detail(p, "args")}, {Detail(p, "kwargs")}, {Detail(p, "result")}, {Detail(p, "traceback")}, " + (sampledColumn ? "i." + PartitionSchema.SampledColumn : "NULL"),
        "i.name",
        "i.state_at")
    {
        Label = p.Suffix,
        CheckedColumns = $"{Detail(p, "args")}, {Detail(p, "kwargs")}, {Detail(p, "result")}, i.exception, {Detail(p, "traceback")}",
        SearchTable = searchable ? p.SearchSql : null,
        Positionless = searchable && positionless,
    };

    /// <summary>
    /// Phlower's pre-partition schema: task_name, runtime_ms, exception_type and the *_preview/_snippet details.
    /// Columns that schema never had read as NULL.
    /// </summary>
    public static ReadSource ForLegacy(LegacySchema schema, bool searchable)
    {
        string Col(string column, string fallback = "NULL") => schema.Has(column) ? "i." + column : fallback;
        string Det(string column) => schema.DetailsPresent && schema.HasDetail(column) ? "d." + column : "NULL";
        var stateAt = schema.Has("finished_at") ? "i.finished_at" : "0";
        var from = schema.DetailsPresent
            ? $"{DayPartition.Delimit(PartitionCatalog.LegacyInvocations)} AS i LEFT JOIN {DayPartition.Delimit(PartitionCatalog.LegacyDetails)} AS d ON d.task_id = i.task_id"
            : $"{DayPartition.Delimit(PartitionCatalog.LegacyInvocations)} AS i";
        var runtime = schema.Has("runtime_ms") ? "i.runtime_ms / 1000.0" : Col("runtime_s");
        var exception = schema.Has("exception") ? "i.exception" : Col("exception_type");
        var select = string.Join(", ",
            "i.task_id", Col("task_name", Col("name")), Col("state", "'SUCCESS'"), Col("worker"), Col("queue"), "NULL",
            Col("received_at"), Col("started_at"), Col("finished_at"),
            $"COALESCE({Col("finished_at")}, {Col("started_at")}, {Col("received_at")}, 0)",
            runtime, Col("retries", "0"), exception, Col("parent_id"), Col("root_id"), "NULL", "NULL", "NULL", "NULL", "NULL",
            Det("args_preview"), Det("kwargs_preview"), Det("result_preview"), Det("traceback_snippet"), "NULL");
        return new ReadSource(
            DayPartition.Delimit(PartitionCatalog.LegacyInvocations), from, select,
            schema.Has("task_name") ? "i.task_name" : "i.name", stateAt, "i.rowid", Col("queue"), Col("exception_type"))
        {
            Label = "legacy",
            SearchTable = searchable ? DayPartition.Delimit(PartitionCatalog.LegacySearch) : null,
        };
    }
}
