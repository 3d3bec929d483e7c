using System.Globalization;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// What <c>ingest db info --clickhouse URL</c> reports of a ClickHouse store (issue 26): its schema version and, per
/// table and day partition, the active parts' rows and bytes on disk, from <c>system.parts</c> (metadata only, so it
/// reads nothing of the data and is safe beside running instances). Under a cluster the figures are those of the
/// server the URL names: its shard's share, since <c>system.parts</c> is per server.
/// </summary>
public sealed record ClickHouseStoreInfo
{
    /// <summary>The endpoint, without its password.</summary>
    public required string Store { get; init; }

    /// <summary>The server's version string.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>The schema version the database is at (0 when Ingest never wrote to it).</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The cluster, when the store is one; the figures are then this server's shard's.</summary>
    public string? Cluster { get; init; }

    /// <summary>Every table's day partitions, table by table, newest day first.</summary>
    public IReadOnlyList<ClickHousePartitionInfo> Partitions { get; init; } = [];

    /// <summary>Bytes on disk of every table over the invocations stored (rows of <c>invocations</c>); null when none.</summary>
    public double? BytesPerInvocation
    {
        get
        {
            var rows = Partitions.Where(p => p.Table == "invocations").Sum(p => p.Rows);
            return rows == 0 ? null : Partitions.Sum(p => p.Bytes) / (double)rows;
        }
    }

    /// <summary>Reads the store's figures; a database Ingest never created reads as version 0 with no partitions.</summary>
    /// <param name="client">A client on the store's endpoint.</param>
    public static ClickHouseStoreInfo Read(ClickHouseClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var db = client.Endpoint.Database;
        var version = client.QueryServer("SELECT version() FORMAT TabSeparated").Trim();
        var exists = client.QueryServer($"SELECT count() FROM system.tables WHERE database = {ClickHouseSql.Quote(db)} AND name = 'schema_version' FORMAT TabSeparated").Trim() != "0";
        var schema = exists ? ClickHouseMigrator.CurrentVersionAsync(client, CancellationToken.None).GetAwaiter().GetResult() : 0;
        var parts = ClickHouseAnswers.Rows(client.QueryServer(
                "SELECT table, partition, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts " +
                $"WHERE database = {ClickHouseSql.Quote(db)} AND active GROUP BY table, partition ORDER BY table, partition DESC FORMAT JSONEachRow"))
            .Select(r => new ClickHousePartitionInfo(
                ClickHouseAnswers.Text(r, "table")!,
                ClickHouseAnswers.Text(r, "partition")!,
                ClickHouseAnswers.Int64(r, "rows"),
                ClickHouseAnswers.Int64(r, "bytes")))
            .ToList();
        return new ClickHouseStoreInfo
        {
            Store = client.Endpoint.ToString(),
            ServerVersion = version,
            SchemaVersion = schema,
            Cluster = client.Endpoint.Cluster,
            Partitions = parts,
        };
    }

    /// <summary>The day a partition id names (<c>20261205</c>), or null for a table that is not day-partitioned.</summary>
    public static DateOnly? DayOf(string partition) =>
        DateOnly.TryParseExact(partition.Trim('\''), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
