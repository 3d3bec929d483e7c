using Ingest.Storage;
using Ingest.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace Ingest.Security;

/// <summary>
/// The authentication schemes and the selector that picks one per request: the session cookie of the UI, the
/// local handler (Basic, the ingest token, the proxy header) and, when configured, the issuer's tokens.
/// </summary>
internal static class AuthSchemes
{
    /// <summary>The UI session's cookie.</summary>
    public const string SessionCookie = "ingest.session";

    /// <summary>Registers the schemes, the session cookie and the keys that sign it.</summary>
    public static void Add(IServiceCollection services, IConfiguration configuration, AuthOptions options)
    {
        var keys = Path.GetFullPath((configuration["Ingest:Storage:DatabasePath"] ?? StorageOptions.DefaultDatabasePath) + ".keys");
        // Session cookies outlive a restart: the keys that sign them live beside the database, not in the container's home.
        var protection = services.AddDataProtection().SetApplicationName("ingest").PersistKeysToFileSystem(new DirectoryInfo(keys));
        if (!string.IsNullOrWhiteSpace(configuration["Ingest:ClickHouse:Url"]))
        {
            // Several instances share the ClickHouse store (issue 26): they share its keys too, so a session signed
            // in on one is valid on every other behind the same Service.
            protection.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
                new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new ClickHouseKeyRepository(sp.GetRequiredService<Storage.ClickHouse.ClickHouseClient>(), sp.GetRequiredService<TimeProvider>())));
        }

        var auth = services.AddAuthentication(AuthSetup.SelectorScheme)
            .AddPolicyScheme(AuthSetup.SelectorScheme, "Ingest", o =>
            {
                o.ForwardDefaultSelector = context => SelectScheme(context, options);
            })
            .AddScheme<AuthenticationSchemeOptions, LocalAuthHandler>(LocalAuthHandler.SchemeName, _ => { })
            .AddCookie(AuthSetup.CookieScheme, o =>
            {
                o.Cookie.Name = SessionCookie;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionIdle;
                o.SlidingExpiration = true;
                o.LoginPath = AuthSetup.SignInPath;
                o.ReturnUrlParameter = "return";
                o.Events = new CookieAuthenticationEvents
                {
                    // A script or the UI's own fetch gets a status and a reason, not the sign-in page's HTML.
                    OnRedirectToLogin = c => IsApi(c.Request.Path) ? Refuse(c.Response, 401, "the session has ended: sign in again") : Redirect(c),
                    OnRedirectToAccessDenied = c => Refuse(c.Response, 403, ForbiddenReason(c.HttpContext)),
                    OnValidatePrincipal = EndIfRevokedAsync,
                };
            });
        if (options.OidcConfigured)
        {
            OidcAuthentication.Add(auth, options);
        }

        // Control posts from a UI session carry a token from /api/me in a header (issue 27); keyed by the same key ring.
        services.AddAntiforgery(o =>
        {
            o.HeaderName = ControlGate.AntiforgeryHeader;
            o.Cookie.Name = ControlGate.AntiforgeryCookie;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
    }

    /// <summary>
    /// A session whose credential is gone (signed out, past its maximum age, its user removed or its password
    /// changed) is refused and its cookie deleted; the request goes on as anonymous (401, or the sign-in page).
    /// </summary>
    private static async Task EndIfRevokedAsync(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<AuthSettings>().Sessions;
        if (context.Principal is not { } session || sessions.Refusal(session) is not { } why)
        {
            return;
        }

        var log = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ingest.Security");
        SecurityLog.SessionEnded(log, session.Identity?.Name ?? "", why);
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(AuthSetup.CookieScheme);
    }

    /// <summary>Why a signed-in caller is refused, by the policy of the route it asked for.</summary>
    internal static string ForbiddenReason(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy switch
        {
            AuthSettings.IngestPolicy => "posting events needs the ingest token (--ingest-token-file)",
            AuthSettings.ControlPolicy => ControlRefusal,
            _ => "this credential may not read task data",
        };

    /// <summary>The 403 reason of a control route, for a caller without the control role.</summary>
    internal const string ControlRefusal = "this user may not act on workers: only users named in --control-users or members of --oidc-control-groups may";

    private static Task Refuse(HttpResponse response, int status, string why)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(new ErrorView(why));
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> c)
    {
        c.Response.Redirect(c.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Which handler reads this request's credential.</summary>
    private static string SelectScheme(HttpContext context, AuthOptions options)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && options.OidcConfigured)
        {
            var settings = context.RequestServices.GetRequiredService<AuthSettings>();
            return settings.IsIngestToken(header["Bearer ".Length..].Trim()) ? LocalAuthHandler.SchemeName : AuthSetup.JwtScheme;
        }

        if (header.Length > 0 || (options.ProxyConfigured && context.Request.Headers.ContainsKey(options.ProxyUserHeader!)))
        {
            return LocalAuthHandler.SchemeName;
        }

        if (context.Request.Cookies.ContainsKey(SessionCookie))
        {
            return AuthSetup.CookieScheme;
        }

        // No credential at all: scripts get 401 with a reason, people get the sign-in page.
        return IsApi(context.Request.Path) ? LocalAuthHandler.SchemeName : AuthSetup.CookieScheme;
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/flower") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi");
}
