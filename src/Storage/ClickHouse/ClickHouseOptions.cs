using System.ComponentModel.DataAnnotations;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// <c>Ingest:ClickHouse</c>: the ClickHouse store. With <see cref="Url"/> set, invocations, details, queue samples,
/// the in-flight checkpoint and shutdown counts go to ClickHouse and the API's invocation reads come from it; the
/// SQLite file then holds no task data.
/// </summary>
public sealed class ClickHouseOptions
{
    /// <summary><c>http[s]://[user@]host[:port]/database</c> (<c>--clickhouse</c>); null or empty: SQLite only.</summary>
    public string? Url { get; set; }

    /// <summary>A file holding the user's password (<c>--clickhouse-password-file</c>); none: no password.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>The cluster for ON CLUSTER DDL, replicated tables and a Distributed table (<c>--clickhouse-cluster</c>).</summary>
    public string? Cluster { get; set; }

    /// <summary>The deadline of every request to ClickHouse. Default 30 s, range 1 s to 10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This process's name among those sharing the database: its in-flight checkpoint and meta rows are its own.
    /// Default: the machine's name and a hash of the SQLite path, stable across restarts.
    /// </summary>
    public string? Instance { get; set; }

    /// <summary>Whether ClickHouse is the store.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The endpoint, with the password read from its file; throws <see cref="FormatException"/> or an I/O error.</summary>
    public ClickHouseEndpoint Endpoint() =>
        ClickHouseEndpoint.Parse(Url!, PasswordFile is { Length: > 0 } file ? File.ReadAllText(file) : null, string.IsNullOrWhiteSpace(Cluster) ? null : Cluster);

    /// <summary>The instance name, or the default derived from <paramref name="databasePath"/>.</summary>
    public string InstanceName(string databasePath)
    {
        if (!string.IsNullOrWhiteSpace(Instance))
        {
            return Instance;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(databasePath)));
        return $"{Environment.MachineName}.{Convert.ToHexStringLower(hash)[..8]}";
    }
}
