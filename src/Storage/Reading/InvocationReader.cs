using System.Text;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Reading;

/// <summary>
/// Reads invocations across every day partition and the legacy table, each read on its own pooled read-only
/// connection (WAL: readers never wait for the writer). A task id present in several sources is returned
/// once, from the newest: day partitions newest first, then legacy, which predates them all.
/// </summary>
public sealed class InvocationReader : IInvocationStore
{
    private readonly string _connectionString;
    private readonly ReadTimeLimit _timeLimit;
    private readonly Details.DictionaryCache _dictionaries = new();

    /// <param name="options">The database.</param>
    /// <param name="timeLimit">How long one read may run (the host's <see cref="ReadOptions"/>); default none.</param>
    public InvocationReader(StorageOptions options, ReadTimeLimit? timeLimit = null)
    {
        _connectionString = SqliteConnections.ReaderConnectionString(options);
        _timeLimit = timeLimit ?? ReadTimeLimit.None;
    }

    /// <summary>Stored details values that could not be read back (each shown as the reason in its place; the rest of the page is read).</summary>
    public long DetailDecodeFailures => _dictionaries.DecodeFailures;

    /// <summary>Details dictionaries the reader's capped cache let go (each is read again from its day when next needed).</summary>
    public long DetailDictionariesEvicted => _dictionaries.Evicted;

    /// <summary>The newest stored state of one task id, or null.</summary>
    public InvocationRecord? Get(string taskId) => _timeLimit.Run(_connectionString, connection => Get(connection, taskId));

    private InvocationRecord? Get(SqliteConnection connection, string taskId)
    {
        RegisterDetailFunction(connection);
        foreach (var source in Sources(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {source.Select} FROM {source.From} WHERE i.task_id = $id";
            command.Parameters.AddWithValue("$id", taskId);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                return InvocationRowReader.Read(reader);
            }
        }

        return null;
    }

    /// <summary>
    /// A page of invocations, newest state time first, deduplicated by task id: at most <see cref="InvocationQuery.Limit"/>
    /// rows, and fewer when their text passes <see cref="InvocationQuery.MaxChars"/> (the cursor then continues there).
    /// </summary>
    public InvocationPage List(InvocationQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, InvocationQuery.MaxLimit);

        string? fts = null;
        if (query.Text is not null && !SearchText.TryParse(query.Text, out fts, out var error))
        {
            throw new ArgumentException(error, nameof(query));
        }

        return _timeLimit.Run(_connectionString, connection => List(connection, query, fts));
    }

    private InvocationPage List(SqliteConnection connection, InvocationQuery query, string? fts)
    {
        RegisterDetailFunction(connection);
        var sources = Sources(connection);
        if (sources.Count == 0)
        {
            return new InvocationPage([], null);
        }

        using var command = connection.CreateCommand();
        var sql = new StringBuilder();
        var unsearched = new List<string>();
        var arms = 0;
        PositionlessQuery? positionless = null;
        for (var k = 0; k < sources.Count; k++)
        {
            var s = sources[k];
            if (fts is not null)
            {
                if (s.SearchTable is null)
                {
                    unsearched.Add(s.Label);
                    continue;
                }

                if (s.Label == "legacy" && !LegacySearchComplete(connection))
                {
                    unsearched.Add("legacy (still being indexed: older rows not searched yet)");
                }

                // A rare value: start from the index's matches. A value in most rows (a word every kwargs
                // has): sorting all its matches would take seconds, so walk the day newest-first instead
                // and keep rows the index says match; the first page fills within a few hundred rows.
                var indexQuery = fts;
                if (s.Positionless)
                {
                    positionless ??= PositionlessQuery.Parse(query.Text!);
                    indexQuery = positionless.IndexQuery;
                }

                var check = positionless?.NeedsCheck == true;
                s = IsDense(connection, s.SearchTable, indexQuery) ? s.Filtering(check, scan: positionless?.CanScan == true) : s.Searching(check);
            }

            if (arms++ > 0)
            {
                sql.Append("\nUNION ALL\n");
            }

            sql.Append("SELECT * FROM (SELECT ").Append(s.Select).Append(" FROM ").Append(s.From).Append(" WHERE 1 = 1").Append(s.SearchJoin);
            AppendFilters(sql, s, query);
            for (var j = 0; j < k; j++)
            {
                // Hidden if a newer source holds the same task id: newest state first.
                sql.Append(" AND NOT EXISTS (SELECT 1 FROM ").Append(sources[j].Table).Append(" AS n WHERE n.task_id = i.task_id)");
            }

            sql.Append(" ORDER BY ").Append(s.StateAtColumn).Append(" DESC, i.task_id DESC LIMIT $limit)");
        }

        if (arms == 0)
        {
            return new InvocationPage([], null) { Unsearched = unsearched };
        }

        sql.Append("\nORDER BY 10 DESC, 1 DESC LIMIT $limit");
        command.CommandText = sql.ToString();
        Bind(command, query);
        if (fts is not null)
        {
            command.Parameters.AddWithValue("$fts", fts);
        }

        if (positionless is not null)
        {
            command.Parameters.AddWithValue("$fts_tokens", positionless.IndexQuery);
            // Registered per read: the pooled connection's function is this query's until the next read replaces it.
            connection.CreateFunction<long, byte[]?, byte[]?, byte[]?, byte[]?, byte[]?, bool>(PositionlessQuery.CheckFunction, positionless.MatchesUtf8, isDeterministic: true);
        }

        var items = new List<InvocationRecord>(Math.Min(query.Limit + 1, 256));
        var full = false;
        using (var reader = command.ExecuteReader())
        {
            long chars = 0;
            while (reader.Read())
            {
                var record = InvocationRowReader.Read(reader);
                items.Add(record);
                // A thousand rows of 32 KiB args, kwargs and result are 100 MB: stop at the page's text budget and let
                // the cursor continue from there (issue 24).
                chars += Weight(record);
                if (chars >= query.MaxChars && items.Count <= query.Limit)
                {
                    // One more step says whether anything follows: a cursor, or the last page.
                    full = reader.Read();
                    break;
                }
            }
        }

        PageCursor? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            full = true;
        }

        if (full)
        {
            var last = items[^1];
            next = new PageCursor(last.StateAt, last.TaskId);
        }

        return new InvocationPage(items, next) { Unsearched = unsearched };
    }

    /// <summary>
    /// Registers <see cref="ReadSource.DetailFunction"/> on a read's connection: a compressed value of a day is read back
    /// with that day's dictionary (held in a capped cache, loaded from the day's table through this connection). A value
    /// that cannot be read back is counted and shows why in its place, so the rest of the page is still shown.
    /// </summary>
    private void RegisterDetailFunction(SqliteConnection connection) =>
        connection.CreateFunction<long, byte[], string>(
            ReadSource.DetailFunction, (day, stored) => _dictionaries.DecodeOrExplain(connection, DateOnly.FromDayNumber((int)day), stored), isDeterministic: true);

    /// <summary>Matches at or above which a source is walked in time order rather than driven from the index.</summary>
    internal int DenseMatches { get; init; } = 20_000;

    /// <summary>Counts up to <see cref="DenseMatches"/> matches from the index alone (a few milliseconds at most).</summary>
    private bool IsDense(SqliteConnection connection, string searchTable, string fts)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM (SELECT 1 FROM {searchTable}($fts) LIMIT {DenseMatches})";
        command.Parameters.AddWithValue("$fts", fts);
        return (long)command.ExecuteScalar()! >= DenseMatches;
    }

    private static bool LegacySearchComplete(SqliteConnection connection) =>
        Migration.MetaTable.Get(connection, Migration.MetaTable.LegacySearchDone) is not null;

    private static void AppendFilters(StringBuilder sql, ReadSource s, InvocationQuery q)
    {
        if (q.Name is not null)
        {
            sql.Append(" AND ").Append(s.NameColumn).Append(" = $name");
        }

        if (q.NameContains is not null)
        {
            // instr, not LIKE: LIKE takes % and _ as wildcards even when bound and stops at a NUL in the pattern (a
            // name_contains of "\0x" matched every name); instr compares the bytes. lower() folds ASCII only, as LIKE did.
            sql.Append(" AND instr(lower(").Append(s.NameColumn).Append("), lower($name_contains)) > 0");
        }

        if (q.State is not null)
        {
            sql.Append(" AND i.state = $state");
        }

        if (q.Worker is not null)
        {
            sql.Append(" AND i.worker = $worker");
        }

        if (q.Queue is not null)
        {
            sql.Append(" AND ").Append(s.QueueColumn).Append(" = $queue");
        }

        if (q.ExceptionType is not null)
        {
            sql.Append(" AND ").Append(s.ExceptionTypeColumn).Append(" = $exception_type");
        }

        if (q.Since is not null)
        {
            sql.Append(" AND ").Append(s.StateAtColumn).Append(" >= $since");
        }

        if (q.Until is not null)
        {
            sql.Append(" AND ").Append(s.StateAtColumn).Append(" < $until");
        }

        if (q.After is not null)
        {
            sql.Append(" AND (").Append(s.StateAtColumn).Append(" < $after_at OR (")
                .Append(s.StateAtColumn).Append(" = $after_at AND i.task_id < $after_id))");
        }
    }

    private static void Bind(SqliteCommand command, InvocationQuery q)
    {
        command.Parameters.AddWithValue("$limit", q.Limit + 1);
        if (q.Name is not null)
        {
            command.Parameters.AddWithValue("$name", q.Name);
        }

        if (q.NameContains is not null)
        {
            command.Parameters.AddWithValue("$name_contains", q.NameContains);
        }

        if (q.State is not null)
        {
            command.Parameters.AddWithValue("$state", q.State);
        }

        if (q.Worker is not null)
        {
            command.Parameters.AddWithValue("$worker", q.Worker);
        }

        if (q.Queue is not null)
        {
            command.Parameters.AddWithValue("$queue", q.Queue);
        }

        if (q.ExceptionType is not null)
        {
            command.Parameters.AddWithValue("$exception_type", q.ExceptionType);
        }

        if (q.Since is not null)
        {
            command.Parameters.AddWithValue("$since", q.Since.Value);
        }

        if (q.Until is not null)
        {
            command.Parameters.AddWithValue("$until", q.Until.Value);
        }

        if (q.After is not null)
        {
            command.Parameters.AddWithValue("$after_at", q.After.StateAt);
            command.Parameters.AddWithValue("$after_id", q.After.TaskId);
        }
    }

    /// <summary>The characters a row holds, near enough: its texts, and a little for its fixed fields.</summary>
    internal static long Weight(InvocationRecord r) => 256L + r.TaskId.Length + (r.Name?.Length ?? 0) + (r.Worker?.Length ?? 0) + (r.Queue?.Length ?? 0)
        + (r.Args?.Length ?? 0) + (r.Kwargs?.Length ?? 0) + (r.Result?.Length ?? 0) + (r.Exception?.Length ?? 0) + (r.Traceback?.Length ?? 0)
        + (r.ParentId?.Length ?? 0) + (r.RootId?.Length ?? 0) + (r.Eta?.Length ?? 0) + (r.Expires?.Length ?? 0);

    /// <summary>Newest first: day partitions by day descending, then legacy. Read from sqlite_master per call (cheap, and always current after drops).</summary>
    private static List<ReadSource> Sources(SqliteConnection connection)
    {
        var days = PartitionCatalog.ListDays(connection);
        var search = PartitionCatalog.SearchTables(connection);
        var sampled = PartitionCatalog.SampledColumnTables(connection);
        var positionless = PartitionCatalog.PositionlessSearchTables(connection);
        var sources = new List<ReadSource>(days.Count + 1);
        for (var i = days.Count - 1; i >= 0; i--)
        {
            var d = days[i];
            sources.Add(ReadSource.ForDay(d, search.Contains(d.SearchTable), sampled.Contains(d.InvocationsTable), positionless.Contains(d.SearchTable)));
        }

        if (PartitionCatalog.HasLegacy(connection) && LegacySchema.Read(connection) is { } legacy)
        {
            sources.Add(ReadSource.ForLegacy(legacy, search.Contains(PartitionCatalog.LegacySearch)));
        }

        return sources;
    }
}
