using System.Text.RegularExpressions;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// The store's tables for one endpoint: on one server plain MergeTree tables; under a cluster (<c>--clickhouse-cluster</c>)
/// Replicated tables named <c>*_local</c> on every node, created <c>ON CLUSTER</c>, and a Distributed table of the
/// plain name over them, which every read and write goes through. Expands the tokens of the migration files.
/// </summary>
public sealed partial class ClickHouseSchema
{
    /// <summary>The day-partitioned tables, which retention drops whole days of.</summary>
    public static readonly IReadOnlyList<string> DayTables = ["invocations", "details", "task_days", "queue_samples", "inflight", "retries", "audit", "terms", "term_hashes", "task_hashes", "group_hours", "task_minutes", "failure_groups"];

    private readonly ClickHouseEndpoint _endpoint;

    /// <param name="endpoint">The database and, if any, the cluster.</param>
    public ClickHouseSchema(ClickHouseEndpoint endpoint) => _endpoint = endpoint;

    /// <summary>The database.</summary>
    public string Database => _endpoint.Database;

    /// <summary><c> ON CLUSTER name</c> under a cluster, else nothing: for DDL and partition drops.</summary>
    public string OnCluster => _endpoint.Cluster is { } cluster ? $" ON CLUSTER {cluster}" : "";

    /// <summary>The table that holds the rows of <paramref name="table"/> on each node: where partitions are dropped.</summary>
    public string Local(string table) => _endpoint.Cluster is null ? table : table + "_local";

    /// <summary>The statements of a migration file with its tokens replaced, blank ones left out.</summary>
    /// <param name="script">The file's text.</param>
    public IReadOnlyList<string> Expand(string script)
    {
        var sql = CommentPattern().Replace(script, "");
        sql = DistributedPattern().Replace(sql, m => Distributed(m.Groups["table"].Value, m.Groups["key"].Value));
        sql = EnginePattern().Replace(sql, m => Engine(m.Groups["kind"].Value, m.Groups["args"].Value, m.Groups["table"].Value));
        sql = sql.Replace("{db}", _endpoint.Database, StringComparison.Ordinal)
            .Replace("{local}", _endpoint.Cluster is null ? "" : "_local", StringComparison.Ordinal)
            .Replace("{on_cluster}", OnCluster, StringComparison.Ordinal);
        return StatementEnd().Split(sql).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }

    private string Engine(string kind, string args, string table)
    {
        if (_endpoint.Cluster is null)
        {
            return $"{kind}({args})";
        }

        // {shard} and {replica} are the server's macros: each node fills in its own.
        var path = $"'/clickhouse/tables/{{shard}}/{_endpoint.Database}.{table}_local', '{{replica}}'";
        return $"Replicated{kind}({path}{(args.Length > 0 ? ", " + args : "")})";
    }

    private string Distributed(string table, string key) =>
        _endpoint.Cluster is not { } cluster
            ? ""
            : $"CREATE TABLE IF NOT EXISTS {_endpoint.Database}.{table}{OnCluster} AS {_endpoint.Database}.{table}_local " +
              $"ENGINE = Distributed({cluster}, {_endpoint.Database}, {table}_local, {key})";

    [GeneratedRegex(@"^\s*--.*$", RegexOptions.Multiline)]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"\{distributed:(?<table>\w+):(?<key>[^}]+)\}")]
    private static partial Regex DistributedPattern();

    [GeneratedRegex(@"\{engine:(?<kind>\w+)\((?<args>[^)]*)\):(?<table>\w+)\}")]
    private static partial Regex EnginePattern();

    [GeneratedRegex(@";\s*$", RegexOptions.Multiline)]
    private static partial Regex StatementEnd();
}
