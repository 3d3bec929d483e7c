using System.Globalization;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Creates the database and brings its tables to this build's schema: the numbered migrations embedded from
/// <c>ClickHouse/Migrations/NNNN_name.sql</c>, each applied once and recorded in <c>schema_version</c>.
/// </summary>
/// <remarks>
/// Several instances may start together on one database: every statement is <c>IF NOT EXISTS</c>, so two that apply
/// the same migration at once both succeed, and a version recorded twice is harmless (the maximum counts). Under a
/// cluster <c>schema_version</c> is a plain table on every node (created <c>ON CLUSTER</c>), written on the node an
/// instance talks to: another node's instance may apply a migration again, which changes nothing. A database
/// already at a newer version than this build knows is refused: an older build would write rows the newer schema
/// reads wrong.
/// </remarks>
public static class ClickHouseMigrator
{
    private const string ResourcePrefix = "ClickHouse.Migrations.";

    /// <summary>The migrations this build carries, by version: (version, name, text).</summary>
    public static IReadOnlyList<(int Version, string Name, string Script)> Migrations { get; } = Load();

    /// <summary>The newest version this build knows.</summary>
    public static int LatestVersion => Migrations.Count == 0 ? 0 : Migrations[^1].Version;

    /// <summary>Creates what is missing and applies the migrations the database has not had; returns the version it is at.</summary>
    /// <param name="client">A client on the store's endpoint.</param>
    /// <param name="cancellationToken">Stops between statements.</param>
    public static Task<int> MigrateAsync(ClickHouseClient client, CancellationToken cancellationToken) =>
        MigrateAsync(client, LatestVersion, cancellationToken);

    /// <summary>
    /// As <see cref="MigrateAsync(ClickHouseClient, CancellationToken)"/>, stopping at <paramref name="upTo"/>: how a
    /// test builds a store as an older build left it, to check what this build makes of it.
    /// </summary>
    internal static async Task<int> MigrateAsync(ClickHouseClient client, int upTo, CancellationToken cancellationToken)
    {
        var schema = new ClickHouseSchema(client.Endpoint);
        var db = schema.Database;
        await client.QueryServerAsync($"CREATE DATABASE IF NOT EXISTS {db}{schema.OnCluster}", cancellationToken).ConfigureAwait(false);
        await client.QueryAsync(
            $"CREATE TABLE IF NOT EXISTS {db}.schema_version{schema.OnCluster} (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version",
            cancellationToken).ConfigureAwait(false);
        var current = await CurrentVersionAsync(client, cancellationToken).ConfigureAwait(false);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The ClickHouse database {db} is at schema version {current}; this build knows up to {LatestVersion}. Upgrade Ingest, or use another database.");
        }

        foreach (var (version, name, script) in Migrations.Where(m => m.Version > current && m.Version <= upTo))
        {
            foreach (var statement in schema.Expand(script))
            {
                await client.QueryAsync(statement, cancellationToken).ConfigureAwait(false);
            }

            await client.QueryAsync(
                $"INSERT INTO {db}.schema_version (version, name, applied_at) VALUES ({ClickHouseSql.Number(version)}, {ClickHouseSql.Quote(name)}, now())",
                cancellationToken).ConfigureAwait(false);
            current = version;
        }

        return current;
    }

    /// <summary>The version the database is at (0: none applied).</summary>
    public static async Task<int> CurrentVersionAsync(ClickHouseClient client, CancellationToken cancellationToken)
    {
        var answer = await client.QueryAsync($"SELECT max(version) FROM {client.Endpoint.Database}.schema_version FORMAT TabSeparated", cancellationToken).ConfigureAwait(false);
        return int.Parse(answer.Trim(), CultureInfo.InvariantCulture);
    }

    private static List<(int, string, string)> Load()
    {
        var assembly = typeof(ClickHouseMigrator).Assembly;
        var migrations = new List<(int Version, string Name, string Script)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = resource[ResourcePrefix.Length..^".sql".Length];
            var version = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            migrations.Add((version, file, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }
}
