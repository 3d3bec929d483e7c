using Ingest.Storage.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;

namespace Ingest.Security;

/// <summary>
/// Who may send a control request (issue 27), checked in the order a refusal is most telling: a browser request
/// from another site (refused whatever its credential: a cached Basic credential or a proxy's cookie would otherwise
/// ride along), no credential (401), a credential without the control role (403), and a UI session without its
/// anti-forgery token (403). Returns null when the request may go on. The control routes audit every refusal, so
/// the check is theirs, not the authorization middleware's, which would answer before anything could record it.
/// </summary>
public static class ControlGate
{
    /// <summary>The header the UI sends the anti-forgery token in (the token comes from <c>/api/me</c>).</summary>
    public const string AntiforgeryHeader = "X-Ingest-Antiforgery";

    /// <summary>The cookie that pairs with the header's token (SameSite=Strict: another site's request never carries it).</summary>
    public const string AntiforgeryCookie = "ingest.antiforgery";

    /// <summary>Checks the request; a refusal carries the status, the reason and the audit outcome.</summary>
    public static async Task<ControlRefusal?> CheckAsync(HttpContext http)
    {
        if (RequestOrigin.IsFromElsewhere(http.Request))
        {
            return new ControlRefusal(StatusCodes.Status403Forbidden, "a control request from another site is refused", AuditOutcomes.Refused);
        }

        var options = http.RequestServices.GetRequiredService<AuthOptions>();
        if (options.Disabled)
        {
            return null;
        }

        if (http.User.Identity?.IsAuthenticated != true)
        {
            return new ControlRefusal(StatusCodes.Status401Unauthorized, null, AuditOutcomes.Unauthenticated);
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(http.User, AuthSettings.ControlPolicy).ConfigureAwait(false)).Succeeded)
        {
            return new ControlRefusal(StatusCodes.Status403Forbidden, AuthSchemes.ControlRefusal, AuditOutcomes.Refused);
        }

        // A session cookie is sent by the browser on its own; the token is what only this site's page can read.
        if (IsCookieSession(http, options)
            && (http.RequestServices.GetService<IAntiforgery>() is not { } antiforgery || !await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false)))
        {
            return new ControlRefusal(StatusCodes.Status403Forbidden, $"a UI session must send its anti-forgery token ({AntiforgeryHeader}, from /api/me)", AuditOutcomes.Refused);
        }

        return null;
    }

    /// <summary>
    /// The anti-forgery token for a UI session (stored with its cookie on the response), null for every other
    /// caller: Basic, bearer and proxy clients are not sent credentials by a browser on another site's behalf.
    /// </summary>
    public static string? TokenFor(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<AuthOptions>();
        if (options.Disabled || http.User.Identity?.IsAuthenticated != true || !IsCookieSession(http, options))
        {
            return null;
        }

        return http.RequestServices.GetService<IAntiforgery>()?.GetAndStoreTokens(http).RequestToken;
    }

    /// <summary>Whether the request is authenticated by the session cookie (the selector's own order: header, proxy, cookie).</summary>
    private static bool IsCookieSession(HttpContext http, AuthOptions options) =>
        http.Request.Headers.Authorization.Count == 0
        && !(options.ProxyConfigured && http.Request.Headers.ContainsKey(options.ProxyUserHeader!))
        && http.Request.Cookies.ContainsKey(AuthSchemes.SessionCookie);
}
