using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Ingest.Security;

/// <summary>A setting that keeps Ingest from starting, in one line for the operator.</summary>
public sealed class AuthConfigurationException(string message) : Exception(message);

/// <summary>
/// Access control (issue 15): who may read task data (UI, <c>/api/*</c>, <c>/metrics</c>) and who may write events.
/// Only <c>/healthz*</c> and the sign-in page are open; everything else needs a credential unless the operator
/// said <c>--no-auth</c>.
/// </summary>
public static partial class AuthSetup
{
    public const string CookieScheme = "cookie";
    public const string JwtScheme = "jwt";
    public const string OidcScheme = "oidc";
    public const string SelectorScheme = "ingest";
    public const string SignInPath = "/signin";

    private static readonly string[] SsoScopes = ["openid", "profile", "email"];

    /// <summary>Files a first start writes when no way to sign in is configured.</summary>
    public static (string Users, string Password) GeneratedFiles(string databasePath) => (databasePath + ".users", databasePath + ".admin-password");

    public static IServiceCollection AddIngestAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Ingest:Auth").Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(options);
        services.AddSingleton(sp => Resolve(options, sp.GetRequiredService<Ingest.Storage.StorageOptions>().DatabasePath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddAuthorization(a =>
        {
            if (options.Disabled)
            {
                a.AddPolicy(AuthSettings.ReadPolicy, p => p.RequireAssertion(_ => true));
                a.AddPolicy(AuthSettings.IngestPolicy, p => p.RequireAssertion(_ => true));
                return;
            }

            a.AddPolicy(AuthSettings.ReadPolicy, p => p.RequireAuthenticatedUser().RequireRole(AuthSettings.ReadRole));
            a.AddPolicy(AuthSettings.IngestPolicy, p => p.RequireAuthenticatedUser().RequireRole(AuthSettings.IngestRole));
            // Everything not marked otherwise, static files of the UI included, needs a reader.
            a.FallbackPolicy = a.GetPolicy(AuthSettings.ReadPolicy);
        });
        if (options.Disabled)
        {
            return services;
        }

        var keys = Path.GetFullPath((configuration["Ingest:Storage:DatabasePath"] ?? Cli.IngestCli.DefaultDatabase) + ".keys");
        // Session cookies outlive a restart: the keys that sign them live beside the database, not in the container's home.
        services.AddDataProtection().SetApplicationName("ingest").PersistKeysToFileSystem(new DirectoryInfo(keys));
        var auth = services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Ingest", o =>
            {
                o.ForwardDefaultSelector = context => SelectScheme(context, options);
            })
            .AddScheme<AuthenticationSchemeOptions, LocalAuthHandler>(LocalAuthHandler.SchemeName, _ => { })
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "ingest.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionIdle;
                o.SlidingExpiration = true;
                o.LoginPath = SignInPath;
                o.ReturnUrlParameter = "return";
                o.Events = new CookieAuthenticationEvents
                {
                    // A script or the UI's own fetch gets a status and a reason, not the sign-in page's HTML.
                    OnRedirectToLogin = c => IsApi(c.Request.Path) ? Refuse(c.Response, 401, "the session has ended: sign in again") : Redirect(c),
                    OnRedirectToAccessDenied = c => Refuse(c.Response, 403, "this account may not read task data"),
                };
            });
        if (options.OidcConfigured)
        {
            var httpMetadata = IsLoopbackHttp(options.OidcAuthority!);
            auth.AddJwtBearer(JwtScheme, o =>
            {
                o.Authority = options.OidcAuthority;
                o.Audience = options.OidcClientId;
                o.RequireHttpsMetadata = !httpMetadata;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "email";
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = c =>
                    {
                        GrantReadIfAllowed(c.Principal!, c.HttpContext.RequestServices.GetRequiredService<AuthSettings>());
                        return Task.CompletedTask;
                    },
                };
            });
            auth.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = options.OidcAuthority;
                o.ClientId = options.OidcClientId;
                o.ClientSecret = options.OidcClientSecretFile is { } f ? File.ReadAllText(f).Trim() : null;
                o.RequireHttpsMetadata = !httpMetadata;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SignInScheme = CookieScheme;
                o.CallbackPath = "/signin-oidc";
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.Scope.Clear();
                foreach (var scope in SsoScopes)
                {
                    o.Scope.Add(scope);
                }

                o.TokenValidationParameters.NameClaimType = "email";
                o.Events = new OpenIdConnectEvents
                {
                    OnTicketReceived = c =>
                    {
                        var settings = c.HttpContext.RequestServices.GetRequiredService<AuthSettings>();
                        if (!GrantReadIfAllowed(c.Principal!, settings))
                        {
                            c.Response.Redirect($"{SignInPath}?failed=sso");
                            c.HandleResponse();
                        }

                        return Task.CompletedTask;
                    },
                };
            });
        }

        return services;
    }

    private static Task Refuse(HttpResponse response, int status, string why)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(new Web.ErrorView(why));
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
            return settings.IsIngestToken(header["Bearer ".Length..].Trim()) ? LocalAuthHandler.SchemeName : JwtScheme;
        }

        if (header.Length > 0 || (options.ProxyConfigured && context.Request.Headers.ContainsKey(options.ProxyUserHeader!)))
        {
            return LocalAuthHandler.SchemeName;
        }

        if (context.Request.Cookies.ContainsKey("ingest.session"))
        {
            return CookieScheme;
        }

        // No credential at all: scripts get 401 with a reason, people get the sign-in page.
        return IsApi(context.Request.Path) ? LocalAuthHandler.SchemeName : CookieScheme;
    }

    internal static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi");

    private static bool GrantReadIfAllowed(ClaimsPrincipal principal, AuthSettings settings)
    {
        if (!settings.SsoUserAllowed(principal) || principal.Identity is not ClaimsIdentity identity)
        {
            return false;
        }

        identity.AddClaim(new Claim(identity.RoleClaimType, AuthSettings.ReadRole));
        identity.AddClaim(new Claim(AuthSettings.MethodClaim, "sso"));
        return true;
    }

    private static bool IsLoopbackAddress(string address) =>
        Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var u)
        && (u.IsLoopback || (IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static bool IsLoopbackHttp(string authority) =>
        authority.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && IsLoopbackAddress(authority);

    /// <summary>Checks the combination of settings and reads the files they name, once, at start.</summary>
    private static AuthSettings Resolve(AuthOptions options, string databasePath, TimeProvider time, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger("Ingest.Security");
        string? token = null;
        if (options.IngestTokenFile is { } tokenFile)
        {
            if (!File.Exists(tokenFile))
            {
                throw new AuthConfigurationException($"--ingest-token-file {tokenFile} does not exist");
            }

            token = File.ReadAllText(tokenFile).Trim();
            if (token.Length < 16)
            {
                throw new AuthConfigurationException($"--ingest-token-file {tokenFile}: the token must be at least 16 characters (openssl rand -hex 32)");
            }
        }

        if (options.Disabled)
        {
            return Settings(options, null, token, time);
        }

        if (options.HttpIngest && token is null)
        {
            throw new AuthConfigurationException("--http-ingest needs --ingest-token-file (the bearer token senders present), or --no-auth");
        }

        if (options.OidcConfigured && (string.IsNullOrWhiteSpace(options.OidcClientId) || (string.IsNullOrWhiteSpace(options.OidcAllowedGroups) && string.IsNullOrWhiteSpace(options.OidcAllowedEmails))))
        {
            throw new AuthConfigurationException("--oidc-authority needs --oidc-client-id and at least one of --oidc-allowed-groups, --oidc-allowed-emails");
        }

        if (options.ProxyConfigured && string.IsNullOrWhiteSpace(options.ProxyFrom))
        {
            throw new AuthConfigurationException("--auth-proxy-header needs --auth-proxy-from: the proxy addresses the header is trusted from");
        }

        var usersFile = options.UsersFile;
        if (usersFile is null && !options.OidcConfigured && !options.ProxyConfigured)
        {
            var (users, password) = GeneratedFiles(Path.GetFullPath(databasePath));
            if (HtpasswdUsers.EnsureGenerated(users, password) is not null)
            {
                Log.GeneratedAdmin(log, password, users);
            }
            else
            {
                Log.UsingGenerated(log, users, password);
            }

            usersFile = users;
        }

        HtpasswdUsers? htpasswd = null;
        if (usersFile is not null)
        {
            try
            {
                htpasswd = new HtpasswdUsers(usersFile, time);
            }
            catch (InvalidOperationException e)
            {
                throw new AuthConfigurationException(e.Message);
            }
        }

        return Settings(options, htpasswd, token, time);
    }

    private static AuthSettings Settings(AuthOptions options, HtpasswdUsers? users, string? token, TimeProvider time)
    {
        try
        {
            return new AuthSettings(options, users, token, time);
        }
        catch (FormatException e)
        {
            throw new AuthConfigurationException($"--auth-proxy-from: {e.Message}");
        }
    }

    /// <summary>Authentication, authorization and the sign-in endpoints, before the UI's files and the API.</summary>
    public static void UseIngestAuth(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<AuthOptions>();
        // Read the files now: a bad users file or token stops the start with one line, not the first request.
        var settings = app.Services.GetRequiredService<AuthSettings>();
        app.UseRouting();
        if (!options.Disabled)
        {
            app.UseAuthentication();
        }

        app.UseAuthorization();
        if (options.Disabled)
        {
            app.MapPost("/signout", () => Results.Redirect("/"));
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                    .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
                foreach (var address in addresses.Where(a => !IsLoopbackAddress(a)))
                {
                    Log.OpenOnNetwork(app.Logger, address);
                }
            });
            return;
        }

        app.MapGet(SignInPath, (HttpContext http, string? @return, string? failed) => Results.Content(SignInPage(settings, SafeReturn(@return), failed), "text/html; charset=utf-8"))
            .AllowAnonymous();
        app.MapPost(SignInPath, SignInAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieScheme);
            return Results.Redirect(SignInPath);
        });
        if (options.OidcConfigured)
        {
            app.MapGet($"{SignInPath}/sso", (string? @return) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturn(@return) }, [OidcScheme])).AllowAnonymous();
        }
    }

    private static async Task<IResult> SignInAsync(HttpContext http, AuthSettings settings)
    {
        // A sign-in form posted from another site is refused: no one is signed in to an account they did not choose.
        if (http.Request.Headers.Origin.ToString() is { Length: > 0 } origin && !string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Json(new Web.ErrorView("sign-in from another site is refused"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (!http.Request.HasFormContentType)
        {
            return Results.Json(new Web.ErrorView("sign in with the form: application/x-www-form-urlencoded"), statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["username"].ToString();
        var password = form["password"].ToString();
        var back = SafeReturn(form["return"].ToString());
        if (!settings.VerifyPassword(http.Connection.RemoteIpAddress, user, password, out var retryAfter))
        {
            if (retryAfter is { } wait)
            {
                http.Response.Headers.RetryAfter = LocalAuthHandler.RetrySeconds(wait);
                return Results.Content(SignInPage(settings, back, "throttled"), "text/html; charset=utf-8", statusCode: StatusCodes.Status429TooManyRequests);
            }

            return Results.Redirect($"{SignInPath}?failed=1&return={Uri.EscapeDataString(back)}");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, AuthSettings.ReadRole), new Claim(AuthSettings.MethodClaim, "password")],
            CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        await http.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(back);
    }

    /// <summary>Only a path on this site: <c>//evil.example</c> and absolute URLs go to the start page instead.</summary>
    internal static string SafeReturn(string? value) =>
        value is { Length: > 0 } v && v[0] == '/' && !v.StartsWith("//", StringComparison.Ordinal) && !v.StartsWith("/\\", StringComparison.Ordinal) ? v : "/";

    private static string SignInPage(AuthSettings settings, string back, string? failed)
    {
        var e = HtmlEncoder.Default;
        var message = failed switch
        {
            null or "" => "",
            "sso" => "<p class=\"signin-error\" role=\"alert\">Your single sign-on account is not in a group or domain allowed here.</p>",
            "throttled" => "<p class=\"signin-error\" role=\"alert\">Too many failed sign-ins from your address. Wait a few minutes, then try again.</p>",
            _ => "<p class=\"signin-error\" role=\"alert\">Wrong user or password.</p>",
        };
        var form = settings.Users is null ? "" : $"""
            <form method="post" action="{SignInPath}" class="signin-form">
              <input type="hidden" name="return" value="{e.Encode(back)}">
              <label>User <input name="username" autocomplete="username" required autofocus></label>
              <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
              <button type="submit">Sign in</button>
            </form>
            """;
        var sso = settings.Options.OidcConfigured ? $"""<p><a class="signin-sso" href="{SignInPath}/sso?return={e.Encode(Uri.EscapeDataString(back))}">Sign in with single sign-on</a></p>""" : "";
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · Ingest</title>
            <link rel="stylesheet" href="/app.css">
            </head>
            <body class="signin">
            <main>
            <h1>Ingest</h1>
            {message}
            {form}
            {sso}
            </main>
            </body>
            </html>
            """;
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "--no-auth: task data and event writes are open to anyone who can reach {Address}")]
    public static partial void OpenOnNetwork(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No way to sign in was configured: created user 'admin' with a generated password, in {PasswordFile} (users in {UsersFile}; pass --users-file to use your own)")]
    public static partial void GeneratedAdmin(ILogger logger, string passwordFile, string usersFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing in with the users in {UsersFile} (the generated admin password is in {PasswordFile})")]
    public static partial void UsingGenerated(ILogger logger, string usersFile, string passwordFile);
}
