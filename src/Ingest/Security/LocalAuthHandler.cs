using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Ingest.Web;
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
                return Task.FromResult(Success("ingest-token", [AuthSettings.IngestRole], "token"));
            }

            return Task.FromResult(AuthenticateResult.Fail("the bearer token is not the ingest token"));
        }

        if (_settings.TrustedProxyUser(Context) is { } user)
        {
            return Task.FromResult(Success(user, _settings.LocalRoles(user), "proxy"));
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

        return Success(pair[..colon], _settings.LocalRoles(pair[..colon]), "basic");
    }

    private static AuthenticateResult Success(string name, IReadOnlyList<string> roles, string method)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r)), new Claim(AuthSettings.MethodClaim, method)],
            SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RetryAfterItem] is TimeSpan wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = RetrySeconds(wait);
            await Response.WriteAsJsonAsync(new ErrorView($"too many failed sign-ins from this address; try again in {RetrySeconds(wait)} s"), Context.RequestAborted).ConfigureAwait(false);
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

        await Response.WriteAsJsonAsync(new ErrorView("a credential is required: " + _settings.Describe()), Context.RequestAborted).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var needs = AuthSchemes.ForbiddenReason(Context);
        await Response.WriteAsJsonAsync(new ErrorView(needs), Context.RequestAborted).ConfigureAwait(false);
    }
}
