using System.Globalization;
using System.Text.Json;
using Ingest.Storage.ClickHouse;

namespace Ingest.Cli;

/// <summary>
/// <c>ingest db info --clickhouse URL</c> (issue 26): the ClickHouse store's schema version and, per day, each
/// table's rows and bytes on disk, so an operator sizes retention and disks without clickhouse-client.
/// </summary>
internal static class ClickHouseDbInfo
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Prints the store's figures; 2 with the reason when the URL, the password file or the server fails.</summary>
    public static int Print(string url, string? passwordFile, bool json)
    {
        ClickHouseStoreInfo info;
        try
        {
            var options = new ClickHouseOptions { Url = url, PasswordFile = passwordFile, Timeout = TimeSpan.FromSeconds(30) };
            using var client = new ClickHouseClient(options.Endpoint(), options.Timeout);
            info = ClickHouseStoreInfo.Read(client);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or ClickHouseException)
        {
            Console.Error.WriteLine($"ingest db info: {e.Message}");
            return 2;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(info, s_json));
            return 0;
        }

        Console.WriteLine($"{info.Store}: ClickHouse {info.ServerVersion}, schema version {info.SchemaVersion} (this build: {ClickHouseMigrator.LatestVersion})");
        if (info.Cluster is { } cluster)
        {
            Console.WriteLine($"  cluster {cluster}: the figures are this server's shard's (system.parts is per server)");
        }

        var byDay = info.Partitions.Where(p => ClickHouseStoreInfo.DayOf(p.Partition) is not null)
            .GroupBy(p => ClickHouseStoreInfo.DayOf(p.Partition)!.Value).OrderByDescending(g => g.Key).ToList();
        Console.WriteLine($"{byDay.Count} days; {DbVerbs.Bytes(info.Partitions.Sum(p => p.Bytes))} on disk"
            + (info.BytesPerInvocation is { } per ? $", {per.ToString("F1", CultureInfo.InvariantCulture)} B per invocation (every table)" : ""));
        Console.WriteLine($"{"day",-12} {"invocations",12} {"bytes",10}  tables");
        foreach (var day in byDay)
        {
            var rows = day.Where(p => p.Table == "invocations").Sum(p => p.Rows);
            Console.WriteLine($"{day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),-12} {rows,12:N0} {DbVerbs.Bytes(day.Sum(p => p.Bytes)),10}  {string.Join(", ", day.Select(p => p.Table).Distinct())}");
        }

        return 0;
    }
}
