using System.Net;
using Ingest.Storage;

namespace Ingest.Security;

/// <summary>
/// Access control (issue 15): who may read task data (UI, <c>/api/*</c>, <c>/metrics</c>) and who may write events.
/// Only <c>/healthz*</c> and the sign-in page are open; everything else needs a credential unless the operator
/// said <c>--no-auth</c>.
/// </summary>
public static class AuthSetup
{
    public const string CookieScheme = "cookie";
    public const string JwtScheme = "jwt";
    public const string OidcScheme = "oidc";
    public const string SelectorScheme = "ingest";
    public const string SignInPath = "/signin";

    /// <summary>The options, the settings resolved from them, the authorization policies and the authentication schemes.</summary>
    public static IServiceCollection AddIngestAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Ingest:Auth").Get<AuthOptions>() ?? new AuthOptions();
        services.AddSingleton(options);
        services.AddSingleton(sp => AuthSettingsResolver.Resolve(options, sp.GetRequiredService<StorageOptions>().DatabasePath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddAuthorization(a => AuthPolicies.Configure(a, options));
        if (!options.Disabled)
        {
            AuthSchemes.Add(services, configuration, options);
        }

        return services;
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
        SignInEndpoints.Map(app, options, settings);
        if (options.Disabled)
        {
            app.Lifetime.ApplicationStarted.Register(() => WarnIfOpenBeyondLoopback(app));
        }
    }

    internal static bool IsLoopbackAddress(string address) =>
        Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var u)
        && (u.IsLoopback || (IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static void WarnIfOpenBeyondLoopback(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses.Where(a => !IsLoopbackAddress(a)))
        {
            SecurityLog.OpenOnNetwork(app.Logger, address);
        }
    }
}
