using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Ingest.Security;

/// <summary>The resolved access-control settings, shared by the handlers and the sign-in endpoints.</summary>
public sealed class AuthSettings
{
    public const string ReadRole = "read";
    public const string IngestRole = "ingest";
    public const string ReadPolicy = "read";
    public const string IngestPolicy = "ingest";
    public const string ControlRole = "control";
    public const string ControlPolicy = "control";
    public const string MethodClaim = "ingest:auth";

    private readonly byte[]? _ingestTokenHash;
    private readonly IReadOnlyList<(IPAddress Network, int Prefix)> _proxies;

    public AuthSettings(AuthOptions options, HtpasswdUsers? users, string? ingestToken, TimeProvider? time = null)
    {
        Options = options;
        Throttle = new SignInThrottle(time ?? TimeProvider.System);
        Sessions = new SessionGuard(time ?? TimeProvider.System, options.SessionMax, users);
        Users = users;
        IngestToken = ingestToken;
        _ingestTokenHash = ingestToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(ingestToken));
        _proxies = AuthOptions.SplitList(options.ProxyFrom).Select(ParseNetwork).ToList();
        AllowedGroups = AuthOptions.SplitList(options.OidcAllowedGroups).ToHashSet(StringComparer.Ordinal);
        AllowedEmails = AuthOptions.SplitList(options.OidcAllowedEmails).Select(e => e.ToLowerInvariant()).ToList();
        ControlUsers = AuthOptions.SplitList(options.ControlUsers).ToHashSet(StringComparer.Ordinal);
        ControlGroups = AuthOptions.SplitList(options.OidcControlGroups).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Users of the users file or the proxy who may act on workers (<c>--control-users</c>).</summary>
    public IReadOnlySet<string> ControlUsers { get; }

    /// <summary>SSO groups whose members may act on workers (<c>--oidc-control-groups</c>).</summary>
    public IReadOnlySet<string> ControlGroups { get; }

    /// <summary>The roles a local user (password, Basic or proxy) holds: read, and control when named in <see cref="ControlUsers"/>.</summary>
    public IReadOnlyList<string> LocalRoles(string user) => ControlUsers.Contains(user) ? [ReadRole, ControlRole] : [ReadRole];

    /// <summary>Whether an SSO user is in one of the control groups.</summary>
    public bool SsoUserControls(ClaimsPrincipal user) => user.FindAll(Options.OidcGroupsClaim).Any(g => ControlGroups.Contains(g.Value));

    public AuthOptions Options { get; }

    public HtpasswdUsers? Users { get; }

    public SignInThrottle Throttle { get; }

    /// <summary>What ends a UI session besides its idle expiry: sign-out, its maximum age, a changed or removed user.</summary>
    public SessionGuard Sessions { get; }

    /// <summary>
    /// Checks a user and password against the users file, unless the address has failed too often (then false and
    /// <paramref name="retryAfter"/> is set), and records the outcome for the throttle.
    /// </summary>
    public bool VerifyPassword(IPAddress? from, string user, string password, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (Users is null)
        {
            return false;
        }

        if (Throttle.IsRefused(from, out var wait))
        {
            // A pair verified minutes ago still works, and leaves the address refused for everything else.
            if (Users.IsRemembered(user, password))
            {
                return true;
            }

            Throttle.NoteRefused();
            retryAfter = wait;
            return false;
        }

        var ok = user.Length > 0 && Users.Verify(user, password);
        if (ok)
        {
            Throttle.Succeeded(from);
        }
        else
        {
            Throttle.Failed(from);
        }

        return ok;
    }

    public string? IngestToken { get; }

    public IReadOnlySet<string> AllowedGroups { get; }

    public IReadOnlyList<string> AllowedEmails { get; }

    public bool IsIngestToken(string token) =>
        _ingestTokenHash is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _ingestTokenHash);

    /// <summary>The proxy's user when the request comes from a trusted proxy address and carries the header.</summary>
    public string? TrustedProxyUser(HttpContext context)
    {
        if (!Options.ProxyConfigured || context.Connection.RemoteIpAddress is not { } from)
        {
            return null;
        }

        var user = context.Request.Headers[Options.ProxyUserHeader!].ToString().Trim();
        if (user.Length == 0 || !_proxies.Any(p => InNetwork(from, p.Network, p.Prefix)))
        {
            return null;
        }

        return user;
    }

    /// <summary>Whether an SSO user may read: in an allowed group, or an allowed address or domain.</summary>
    public bool SsoUserAllowed(ClaimsPrincipal user)
    {
        if (user.FindAll(Options.OidcGroupsClaim).Any(g => AllowedGroups.Contains(g.Value)))
        {
            return true;
        }

        var verified = user.FindFirst("email_verified")?.Value;
        if (user.FindFirst("email")?.Value is { } email && verified is null or "true" or "True")
        {
            email = email.ToLowerInvariant();
            return AllowedEmails.Any(a => a.StartsWith('@') ? email.EndsWith(a, StringComparison.Ordinal) : email == a);
        }

        return false;
    }

    /// <summary>What a caller may send, for the 401 body.</summary>
    public string Describe()
    {
        var ways = new List<string>();
        if (Users is not null)
        {
            ways.Add("HTTP Basic with a user of the users file");
        }

        if (Options.OidcConfigured)
        {
            ways.Add($"a bearer token from {Options.OidcAuthority}");
        }

        if (IngestToken is not null)
        {
            ways.Add("the ingest token (POST /api/events only)");
        }

        if (Options.ProxyConfigured)
        {
            ways.Add($"the {Options.ProxyUserHeader} header from the authenticating proxy");
        }

        return ways.Count == 0 ? "none is configured" : string.Join("; ", ways);
    }

    internal static (IPAddress, int) ParseNetwork(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        var bits = address.GetAddressBytes().Length * 8;
        var prefix = slash < 0 ? bits : int.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (prefix < 0 || prefix > bits)
        {
            throw new FormatException($"{text}: prefix out of range");
        }

        return (address, prefix);
    }

    internal static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
