using System.Text.RegularExpressions;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Where the ClickHouse store is: its HTTP interface, the user, the password and the database, parsed from
/// <c>http[s]://[user@]host[:port]/database</c>. The password never sits in the URL (it would reach logs and
/// <c>ps</c>); it comes from <c>--clickhouse-password-file</c>.
/// </summary>
public sealed partial record ClickHouseEndpoint
{
    /// <summary>ClickHouse's HTTP port when the URL names none.</summary>
    public const int DefaultHttpPort = 8123;

    /// <summary>ClickHouse's HTTPS port when an https URL names none.</summary>
    public const int DefaultHttpsPort = 8443;

    /// <summary>The database when the URL names none.</summary>
    public const string DefaultDatabase = "ingest";

    /// <summary>The server's base address (scheme, host, port), without user or path.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The user sent in <c>X-ClickHouse-User</c>.</summary>
    public string User { get; init; } = "default";

    /// <summary>The password sent in <c>X-ClickHouse-Key</c>; null sends none.</summary>
    public string? Password { get; init; }

    /// <summary>The database the tables live in; a plain identifier, checked at parse, so it is spliced into SQL as is.</summary>
    public required string Database { get; init; }

    /// <summary>
    /// The cluster for <c>ON CLUSTER</c> DDL, replicated tables and a distributed table over them; null for one
    /// server. A plain identifier, checked like the database.
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>Parses <paramref name="url"/>; throws <see cref="FormatException"/> with the reason when it is not one.</summary>
    /// <param name="url">The <c>--clickhouse</c> value.</param>
    /// <param name="password">The password file's contents, already read; null for none.</param>
    /// <param name="cluster">The <c>--clickhouse-cluster</c> value, or null.</param>
    public static ClickHouseEndpoint Parse(string url, string? password = null, string? cluster = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"'{url}' is not an http:// or https:// URL (http://[user@]host:8123/database)");
        }

        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException("the ClickHouse URL must not carry a password: put it in --clickhouse-password-file");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new FormatException("the ClickHouse URL takes no query or fragment: http://[user@]host:8123/database");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        database = database.Length == 0 ? DefaultDatabase : database;
        var user = Uri.UnescapeDataString(uri.UserInfo);
        // Uri hides a default port: ClickHouse's own defaults (8123, 8443) apply unless the URL spelled one out.
        var explicitPort = url.Contains($"{uri.Host}:{uri.Port}", StringComparison.OrdinalIgnoreCase);
        var port = uri.IsDefaultPort && !explicitPort ? (uri.Scheme == Uri.UriSchemeHttps ? DefaultHttpsPort : DefaultHttpPort) : uri.Port;
        return new ClickHouseEndpoint
        {
            BaseAddress = new UriBuilder(uri.Scheme, uri.Host, port).Uri,
            User = user.Length == 0 ? "default" : user,
            Password = password?.TrimEnd('\r', '\n'),
            Database = CheckName(database, "database"),
            Cluster = cluster is null ? null : CheckName(cluster, "cluster"),
        };
    }

    /// <summary>
    /// Returns <paramref name="name"/> if it is a plain identifier (a letter or underscore, then letters, digits,
    /// underscores; at most 64), and throws otherwise. Names are checked, never escaped: a name that needs quoting
    /// is refused, so none can carry SQL.
    /// </summary>
    public static string CheckName(string name, string what) =>
        IdentifierPattern().IsMatch(name) ? name : throw new FormatException($"the ClickHouse {what} '{name}' is not a plain name (letters, digits, _; at most 64)");

    /// <summary>The URL as shown in logs and status: no password, ever.</summary>
    public override string ToString() => $"{BaseAddress.Scheme}://{User}@{BaseAddress.Authority}/{Database}";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex IdentifierPattern();
}
