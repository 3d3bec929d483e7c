using System.Text;
using System.Text.Json;
using Ingest.Storage.Reading;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Reads invocations from ClickHouse, merging at read the rows every instance wrote of a task id into the one
/// invocation a single instance would have stored: the newest row by (state time, lifecycle rank) decides state,
/// finish and error fields outright; descriptive fields (name, worker, queue, the earlier timestamps, parent, root,
/// eta, expires, args, kwargs) take the newest value that is not null; retries the distinct retry times every
/// instance saw (the <c>retries</c> table), or the largest count if that is more; the state time the
/// newest. The same rules as the SQLite writer's upsert, applied once at read instead of at every write.
/// </summary>
/// <remarks>
/// A lookup by id first reads the narrow <c>task_days</c> table (ordered by task id: a few index marks) and then
/// only those days' partitions, where rows are ordered by task id too, so it never scans a day. Under a cluster the
/// subqueries read each shard's local table: every row of a task id is on one shard (sharded by its hash), so the
/// shard that holds its rows holds its days too, and no subquery crosses shards (18.16 refuses that by default). Value
/// search (<see cref="InvocationQuery.Text"/>) reads the inverted term tables for the candidates and checks
/// each against its merged text, so it answers what SQLite's full-text index answers without reading every detail.
/// </remarks>
public sealed class ClickHouseInvocationReader : IInvocationStore
{
    private const string Newest = "(state_at, state_rank)";

    private static readonly string s_merged = string.Join(", ",
    [
        "task_id",
        $"argMax(state, {Newest}) AS m_state",
        "max(state_at) AS m_state_at",
        "max(retries) AS m_retries",
        .. new[] { "name", "worker", "queue", "sent_at", "received_at", "started_at", "parent_id", "root_id", "eta", "expires" }
            .Select(c => $"argMax({c}, {Newest}) AS m_{c}"),
        .. new[] { "finished_at", "runtime_s", "exception_type", "exception", "terminated", "expired", "signum" }
            .Select(c => $"{Exact(c)} AS m_{c}"),
    ]);

    private readonly ClickHouseClient _client;
    private readonly ClickHouseSchema _schema;
    private readonly string _db;

    /// <param name="client">The store (not disposed here: readers share the host's client).</param>
    public ClickHouseInvocationReader(ClickHouseClient client)
    {
        _client = client;
        _schema = new ClickHouseSchema(client.Endpoint);
        _db = client.Endpoint.Database;
    }

    /// <inheritdoc/>
    public InvocationRecord? Get(string taskId)
    {
        var id = ClickHouseSql.Quote(taskId);
        var rows = Read(
            $"SELECT {s_merged} FROM {_db}.invocations WHERE day IN (SELECT day FROM {_db}.{_schema.Local("task_days")} WHERE task_id = {id}) AND task_id = {id} GROUP BY task_id");
        return rows.Count == 0 ? null : WithDetails(rows)[0];
    }

    /// <inheritdoc/>
    public InvocationPage List(InvocationQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, InvocationQuery.MaxLimit);
        if (query.Text is null)
        {
            return Page(WithDetails(Read(ListSql(query, null))), query);
        }

        if (!SearchText.TryParse(query.Text, out _, out var error))
        {
            throw new ArgumentException(error, nameof(query));
        }

        var phrases = SearchText.Phrases(query.Text);
        var terms = phrases.SelectMany(p => p).Select(ClickHouseTermRows.Term).Distinct(StringComparer.Ordinal).ToList();
        // A rare value: start from the terms' task ids. A value in most rows (a word every kwargs has): the set of
        // its task ids would be most of the window's, so walk the window newest first instead and keep the rows
        // whose text matches; the first page fills within a few hundred rows (as SQLite's search decides).
        var candidates = IsDense(terms, query) ? null : Candidates(terms, query);
        // The terms say which tasks hold every token somewhere; whether each phrase's tokens stand side by side in
        // one text, as SQLite's index answers, only the text can say. Walk the candidates newest first and keep
        // those whose merged text matches, until the page is full or they run out.
        var matches = new List<InvocationRecord>();
        var step = query;
        while (true)
        {
            var rows = WithDetails(Read(ListSql(step, candidates)));
            foreach (var row in rows)
            {
                if (Matches(phrases, row))
                {
                    matches.Add(row);
                    if (matches.Count > query.Limit)
                    {
                        return Page(matches, query); // one past the page: there is a next page
                    }
                }
            }

            if (rows.Count <= query.Limit)
            {
                break; // the candidates ran out
            }

            step = step with { After = new PageCursor(rows[^1].StateAt, rows[^1].TaskId) };
        }

        return Page(matches, query);
    }

    /// <summary>
    /// The page's query: the merged invocations (of the <paramref name="candidates"/> only, when searching) with the
    /// filters, newest first after the cursor, one row past the page.
    /// </summary>
    private string ListSql(InvocationQuery query, string? candidates)
    {
        var sql = new StringBuilder($"SELECT {s_merged} FROM {_db}.invocations");
        if (candidates is not null)
        {
            // PREWHERE: the task id column alone is read and filtered first, so the merge aggregates the candidates'
            // rows rather than every row of the granules they share (a third of the time at 1M, measured).
            sql.Append(" PREWHERE ").Append(candidates);
        }

        sql.Append(" WHERE 1 = 1");
        if (candidates is null && query.Since is { } since)
        {
            // The window's days pick the task ids (a row is filed under its finish, which may precede its state
            // time by a little: one day of margin); every row of those ids is merged, earlier days' included. Not
            // with candidates: there the set would be every task of the window's days (70M ids at scale), and the
            // merged state time below already decides the same.
            sql.Append($" AND task_id IN (SELECT task_id FROM {_db}.{_schema.Local("invocations")} WHERE day >= {ClickHouseSql.Date(FirstDay(since))} AND state_at >= {ClickHouseSql.Number(since)})");
        }

        sql.Append(" GROUP BY task_id HAVING 1 = 1");
        Filter(sql, "m_name", query.Name);
        if (query.NameContains is not null)
        {
            // A literal substring, ASCII case-insensitive as SQLite's LIKE is (issue 25): position() takes no wildcards.
            sql.Append($" AND positionCaseInsensitive(m_name, {ClickHouseSql.Quote(query.NameContains)}) > 0");
        }

        Filter(sql, "m_state", query.State);
        Filter(sql, "m_worker", query.Worker);
        Filter(sql, "m_queue", query.Queue);
        Filter(sql, "m_exception_type", query.ExceptionType);
        if (query.Since is { } from)
        {
            sql.Append($" AND m_state_at >= {ClickHouseSql.Number(from)}");
        }

        if (query.Until is { } until)
        {
            sql.Append($" AND m_state_at < {ClickHouseSql.Number(until)}");
        }

        if (query.After is { } after)
        {
            var at = ClickHouseSql.Number(after.StateAt);
            sql.Append($" AND (m_state_at < {at} OR (m_state_at = {at} AND task_id < {ClickHouseSql.Quote(after.TaskId)}))");
        }

        sql.Append($" ORDER BY m_state_at DESC, task_id DESC LIMIT {ClickHouseSql.Number(query.Limit + 1)}");
        return sql.ToString();
    }

    /// <summary>
    /// The condition that keeps the task ids whose terms hold every token of the search, in the days of the window:
    /// the term tables are ordered by term, so this reads a few granules per term and day, and no details at all.
    /// </summary>
    /// <remarks>
    /// Since version 5 a term row holds the hash of its task id: the hashes that hold every token, then the ids of
    /// those hashes from <c>task_hashes</c> (ordered by hash), so the outer query still names task ids, the
    /// invocations' primary key. A hash two ids share only widens the candidates; their text decides. Rows written
    /// before version 5 are in the <c>terms</c> table, read the old way beside it: a store upgraded in place keeps
    /// its history searchable until retention drops those days. Under a cluster each subquery reads its shard's
    /// local tables: a task id's terms and hashes are on the shard that holds its rows (all sharded by the id's
    /// hash), so no subquery crosses shards, as for the lookup by id. Every token reaches the SQL through
    /// <see cref="ClickHouseSql.Quote(string)"/>, cut as the writer cut it.
    /// </remarks>
    private string Candidates(List<string> terms, InvocationQuery query)
    {
        var every = ClickHouseSql.Number(terms.Count);
        var hashes = $"SELECT h FROM {_db}.{_schema.Local("term_hashes")} WHERE {TermsIn(terms, query)} GROUP BY h HAVING uniqExact(term) = {every}";
        return $"(task_id IN (SELECT task_id FROM {_db}.{_schema.Local("task_hashes")} WHERE h IN ({hashes}){DaysIn(query)}) " +
               $"OR task_id IN (SELECT task_id FROM {_db}.{_schema.Local("terms")} WHERE {TermsIn(terms, query)} GROUP BY task_id HAVING uniqExact(term) = {every}))";
    }

    /// <summary>Matches at or above which every term of a search counts as dense (SQLite's threshold).</summary>
    internal int DenseMatches { get; init; } = 20_000;

    /// <summary>
    /// Whether even the rarest term has <see cref="DenseMatches"/> rows in the window: counted with <c>LIMIT BY</c>,
    /// so a term in every row stops at the threshold, a few granules per day (per table: the hashed terms and the
    /// version 3 ones).
    /// </summary>
    private bool IsDense(List<string> terms, InvocationQuery query)
    {
        var limit = $"LIMIT {ClickHouseSql.Number(DenseMatches)} BY term";
        var counts = ClickHouseAnswers.Rows(_client.Query(
            $"SELECT term, count() AS n FROM (SELECT term FROM {_db}.term_hashes WHERE {TermsIn(terms, query)} {limit} " +
            $"UNION ALL SELECT term FROM {_db}.terms WHERE {TermsIn(terms, query)} {limit}) GROUP BY term FORMAT JSONEachRow")).ToList();
        return counts.Count == terms.Count && counts.All(r => ClickHouseAnswers.Int64(r, "n") >= DenseMatches);
    }

    /// <summary>The terms and the window's days, as a condition on a term table.</summary>
    private static string TermsIn(List<string> terms, InvocationQuery query) =>
        new StringBuilder("term IN (").AppendJoin(", ", terms.Select(ClickHouseSql.Quote)).Append(')').Append(DaysIn(query)).ToString();

    /// <summary>The window's days as <c> AND day ...</c> conditions, or nothing for an open window.</summary>
    private static string DaysIn(InvocationQuery query)
    {
        var sql = new StringBuilder();
        if (query.Since is { } since)
        {
            sql.Append($" AND day >= {ClickHouseSql.Date(FirstDay(since))}");
        }

        if (query.Until is { } until)
        {
            // A row's day is its finish or state time, never after the merged state time: one day of margin.
            sql.Append($" AND day <= {ClickHouseSql.Date(Partitions.DayPartition.DayOf(until).AddDays(1))}");
        }

        return sql.ToString();
    }

    /// <summary>Whether the merged invocation's text holds every phrase, as SQLite's index would answer for its row.</summary>
    private static bool Matches(IReadOnlyList<string[]> phrases, InvocationRecord r) =>
        SearchText.Matches(phrases, r.Args, r.Kwargs, r.Result ?? Writing.PartitionStatements.SearchableFailure(r));

    private static DateOnly FirstDay(double since) => Partitions.DayPartition.DayOf(since).AddDays(-1);

    /// <summary>
    /// The newest row's value of <paramref name="column"/>, null included (argMax alone skips nulls). Not
    /// <c>argMax(tuple(x), ...)</c>: 18.16 crashes (SIGSEGV) sending that state of a Nullable between shards.
    /// </summary>
    private static string Exact(string column) =>
        $"if(argMax(isNull({column}), {Newest}) = 1, NULL, argMax(assumeNotNull({column}), {Newest}))";

    private static InvocationPage Page(List<InvocationRecord> items, InvocationQuery query)
    {
        var full = items.Count > query.Limit;
        if (full)
        {
            items.RemoveAt(items.Count - 1);
        }

        // The page's text budget, as on SQLite: the row that reaches it ends the page, with a cursor.
        long chars = 0;
        for (var i = 0; i < items.Count; i++)
        {
            chars += (items[i].Args?.Length ?? 0) + (items[i].Kwargs?.Length ?? 0) + (items[i].Result?.Length ?? 0) + (items[i].Traceback?.Length ?? 0);
            if (chars >= query.MaxChars && i < items.Count - 1)
            {
                items.RemoveRange(i + 1, items.Count - i - 1);
                full = true;
                break;
            }
        }

        var next = full && items.Count > 0 ? new PageCursor(items[^1].StateAt, items[^1].TaskId) : null;
        return new InvocationPage(items, next);
    }

    private static void Filter(StringBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append($" AND {column} = {ClickHouseSql.Quote(value)}");
        }
    }

    private List<InvocationRecord> Read(string sql) =>
        ClickHouseAnswers.Rows(_client.Query(sql + " FORMAT JSONEachRow")).Select(Record).ToList();

    /// <summary>The records with their details merged in, read in one query for all of them.</summary>
    private List<InvocationRecord> WithDetails(List<InvocationRecord> records)
    {
        if (records.Count == 0)
        {
            return records;
        }

        var ids = string.Join(", ", records.Select(r => ClickHouseSql.Quote(r.TaskId)));
        var details = ClickHouseAnswers.Rows(_client.Query(
                $"SELECT task_id, argMax(args, {Newest}) AS m_args, argMax(kwargs, {Newest}) AS m_kwargs, " +
                $"{Exact("result")} AS m_result, {Exact("traceback")} AS m_traceback " +
                $"FROM {_db}.details WHERE task_id IN ({ids}) GROUP BY task_id FORMAT JSONEachRow"))
            .ToDictionary(r => ClickHouseAnswers.Text(r, "task_id")!, StringComparer.Ordinal);
        // Retries seen by different instances add up by their distinct times (issue 26); a row's own count still
        // holds for rows written before the retries table, or past the tracker's cap on times kept.
        var retried = ClickHouseAnswers.Rows(_client.Query(
                $"SELECT task_id, uniqExact(retried_at) AS n FROM {_db}.retries WHERE task_id IN ({ids}) GROUP BY task_id FORMAT JSONEachRow"))
            .ToDictionary(r => ClickHouseAnswers.Text(r, "task_id")!, r => (int)ClickHouseAnswers.Int64(r, "n"), StringComparer.Ordinal);
        records = records.Select(r => retried.TryGetValue(r.TaskId, out var n) && n > r.Retries ? r with { Retries = n } : r).ToList();
        return records.Select(r => details.TryGetValue(r.TaskId, out var d)
            ? r with
            {
                Args = ClickHouseAnswers.Text(d, "m_args"),
                Kwargs = ClickHouseAnswers.Text(d, "m_kwargs"),
                Result = ClickHouseAnswers.Text(d, "m_result"),
                Traceback = ClickHouseAnswers.Text(d, "m_traceback"),
            }
            : r).ToList();
    }

    private static InvocationRecord Record(JsonElement row) => new()
    {
        TaskId = ClickHouseAnswers.Text(row, "task_id")!,
        State = ClickHouseAnswers.Text(row, "m_state") ?? TaskStates.Pending,
        StateAt = ClickHouseAnswers.Number(row, "m_state_at") ?? 0,
        Retries = (int)ClickHouseAnswers.Int64(row, "m_retries"),
        Name = ClickHouseAnswers.Text(row, "m_name"),
        Worker = ClickHouseAnswers.Text(row, "m_worker"),
        Queue = ClickHouseAnswers.Text(row, "m_queue"),
        SentAt = ClickHouseAnswers.Number(row, "m_sent_at"),
        ReceivedAt = ClickHouseAnswers.Number(row, "m_received_at"),
        StartedAt = ClickHouseAnswers.Number(row, "m_started_at"),
        FinishedAt = ClickHouseAnswers.Number(row, "m_finished_at"),
        RuntimeSeconds = ClickHouseAnswers.Number(row, "m_runtime_s"),
        Exception = ClickHouseAnswers.Text(row, "m_exception"),
        ParentId = ClickHouseAnswers.Text(row, "m_parent_id"),
        RootId = ClickHouseAnswers.Text(row, "m_root_id"),
        Eta = ClickHouseAnswers.Text(row, "m_eta"),
        Expires = ClickHouseAnswers.Text(row, "m_expires"),
        Terminated = Flag(row, "m_terminated"),
        Expired = Flag(row, "m_expired"),
        Signum = ClickHouseAnswers.Number(row, "m_signum") is { } s ? (int)s : null,
    };

    private static bool? Flag(JsonElement row, string column) => ClickHouseAnswers.Number(row, column) is { } v ? v != 0 : null;
}
