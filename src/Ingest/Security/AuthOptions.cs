namespace Ingest.Security;

/// <summary>
/// Who may read task data and who may write events (issue 15). Authentication is on unless
/// <see cref="Disabled"/>; with nothing configured, a local <c>admin</c> user with a generated password is
/// written beside the database on first start.
/// </summary>
public sealed class AuthOptions
{
    /// <summary><c>--no-auth</c>: every route open. Warned about at start when listening beyond loopback.</summary>
    public bool Disabled { get; set; }

    /// <summary><c>--users-file</c>: an htpasswd file of bcrypt hashes (<c>htpasswd -B</c>); users may read.</summary>
    public string? UsersFile { get; set; }

    /// <summary><c>--ingest-token-file</c>: a file whose content is the bearer token for <c>POST /api/events</c>.</summary>
    public string? IngestTokenFile { get; set; }

    /// <summary><c>--oidc-authority</c>: the OpenID Connect issuer (its discovery document is under it).</summary>
    public string? OidcAuthority { get; set; }

    /// <summary><c>--oidc-client-id</c>: this application's client id, also the audience API tokens must carry.</summary>
    public string? OidcClientId { get; set; }

    /// <summary><c>--oidc-client-secret-file</c>: the client secret for the UI's sign-in, read from a file.</summary>
    public string? OidcClientSecretFile { get; set; }

    /// <summary><c>--oidc-allowed-groups</c>: comma-separated; a user in any of them may read.</summary>
    public string? OidcAllowedGroups { get; set; }

    /// <summary><c>--oidc-allowed-emails</c>: comma-separated addresses, or <c>@domain</c> for a whole domain.</summary>
    public string? OidcAllowedEmails { get; set; }

    /// <summary>
    /// <c>--control-users</c>: comma-separated users (of the users file, or names the auth proxy sends) who may act on
    /// workers (issue 27: revoke, limits, pools, consumers, sending tasks). Nobody may by default.
    /// </summary>
    public string? ControlUsers { get; set; }

    /// <summary><c>--oidc-control-groups</c>: comma-separated; a user in any of them may read and act on workers.</summary>
    public string? OidcControlGroups { get; set; }

    /// <summary>The claim that lists a user's groups (default <c>groups</c>).</summary>
    public string OidcGroupsClaim { get; set; } = "groups";

    /// <summary><c>--auth-proxy-header</c>: the user name header an authenticating proxy sets (X-Forwarded-User, X-Auth-Request-User).</summary>
    public string? ProxyUserHeader { get; set; }

    /// <summary><c>--auth-proxy-from</c>: comma-separated addresses or CIDR ranges the header is trusted from.</summary>
    public string? ProxyFrom { get; set; }

    /// <summary>How long a UI session lasts without use.</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// <c>--session-max-hours</c>: how long a UI session lasts from its sign-in, however often it is used (the idle
    /// expiry slides with use, so without this a used cookie never ends).
    /// </summary>
    public int SessionMaxHours { get; set; } = 24;

    /// <summary><see cref="SessionMaxHours"/> as a span.</summary>
    public TimeSpan SessionMax => TimeSpan.FromHours(SessionMaxHours);

    /// <summary><c>--http-ingest</c>: accept <c>POST /api/events</c> at all (off by default: brokers are the usual source).</summary>
    public bool HttpIngest { get; set; }

    public bool OidcConfigured => !string.IsNullOrWhiteSpace(OidcAuthority);

    public bool ProxyConfigured => !string.IsNullOrWhiteSpace(ProxyUserHeader);

    internal static IReadOnlyList<string> SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
