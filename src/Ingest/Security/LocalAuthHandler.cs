using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ingest.Security;

/// <summary>
/// The credentials a script or a machine sends on each request: HTTP Basic against the users file, the ingest
/// bearer token, or a user name header from a trusted authenticating proxy. Also answers every API challenge:
/// 401 or 403 with a JSON reason, never a redirect to a page a script cannot use.
/// </summary>
public sealed class LocalAuthHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "local";

    private const string RetryAfterItem = "ingest.auth.retry-after";

    internal static string RetrySeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly AuthSettings _settings;

    public LocalAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AuthSettings settings)
        : base(options, logger, encoder)
    {
        _settings = settings;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(Basic(header["Basic ".Length..].Trim()));
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            if (_settings.IsIngestToken(token))
            {
                return Task.FromResult(Success("ingest-token", AuthSettings.IngestRole, "token"));
            }

            return Task.FromResult(AuthenticateResult.Fail("the bearer token is not the ingest token"));
        }

        if (_settings.TrustedProxyUser(Context) is { } user)
        {
            return Task.FromResult(Success(user, AuthSettings.ReadRole, "proxy"));
        }

        return Task.FromResult(AuthenticateResult.NoResult());
    }

    private AuthenticateResult Basic(string encoded)
    {
        if (_settings.Users is null)
        {
            return AuthenticateResult.Fail("no users file is configured");
        }

        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("the Basic credential is not base64");
        }

        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        TimeSpan? retryAfter = null;
        if (colon <= 0 || !_settings.VerifyPassword(Context.Connection.RemoteIpAddress, pair[..colon], pair[(colon + 1)..], out retryAfter))
        {
            if (retryAfter is { } wait)
            {
                Context.Items[RetryAfterItem] = wait;
                return AuthenticateResult.Fail("too many failed sign-ins from this address");
            }

            return AuthenticateResult.Fail("wrong user or password");
        }

        return Success(pair[..colon], AuthSettings.ReadRole, "basic");
    }

    private static AuthenticateResult Success(string name, string role, string method)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), new Claim(AuthSettings.MethodClaim, method)],
            SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RetryAfterItem] is TimeSpan wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = RetrySeconds(wait);
            await Response.WriteAsJsonAsync(new Web.ErrorView($"too many failed sign-ins from this address; try again in {RetrySeconds(wait)} s"), Context.RequestAborted).ConfigureAwait(false);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (_settings.Users is not null)
        {
            Response.Headers.Append("WWW-Authenticate", "Basic realm=\"Ingest\", charset=\"UTF-8\"");
        }

        if (_settings.Options.OidcConfigured || _settings.IngestToken is not null)
        {
            Response.Headers.Append("WWW-Authenticate", "Bearer");
        }

        await Response.WriteAsJsonAsync(new Web.ErrorView("a credential is required: " + _settings.Describe()), Context.RequestAborted).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var needs = Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy == AuthSettings.IngestPolicy
            ? "posting events needs the ingest token (--ingest-token-file)"
            : "this credential may not read task data";
        await Response.WriteAsJsonAsync(new Web.ErrorView(needs), Context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>The resolved access-control settings, shared by the handlers and the sign-in endpoints.</summary>
public sealed class AuthSettings
{
    public const string ReadRole = "read";
    public const string IngestRole = "ingest";
    public const string ReadPolicy = "read";
    public const string IngestPolicy = "ingest";
    public const string MethodClaim = "ingest:auth";

    private readonly byte[]? _ingestTokenHash;
    private readonly IReadOnlyList<(IPAddress Network, int Prefix)> _proxies;

    public AuthSettings(AuthOptions options, HtpasswdUsers? users, string? ingestToken, TimeProvider? time = null)
    {
        Options = options;
        Throttle = new SignInThrottle(time ?? TimeProvider.System);
        Users = users;
        IngestToken = ingestToken;
        _ingestTokenHash = ingestToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(ingestToken));
        _proxies = AuthOptions.SplitList(options.ProxyFrom).Select(ParseNetwork).ToList();
        AllowedGroups = AuthOptions.SplitList(options.OidcAllowedGroups).ToHashSet(StringComparer.Ordinal);
        AllowedEmails = AuthOptions.SplitList(options.OidcAllowedEmails).Select(e => e.ToLowerInvariant()).ToList();
    }

    public AuthOptions Options { get; }

    public HtpasswdUsers? Users { get; }

    public SignInThrottle Throttle { get; }

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
