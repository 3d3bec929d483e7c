using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Ingest.Security;

/// <summary>
/// Single sign-on through an OpenID Connect issuer: its bearer tokens for scripts, its code flow (with PKCE) for
/// the UI. Either way a user reads only when in an allowed group, address or domain.
/// </summary>
internal static class OidcAuthentication
{
    private static readonly string[] SsoScopes = ["openid", "profile", "email"];

    /// <summary>Adds the JWT bearer and OpenID Connect handlers for <see cref="AuthOptions.OidcAuthority"/>.</summary>
    public static void Add(AuthenticationBuilder auth, AuthOptions options)
    {
        var httpMetadata = IsLoopbackHttp(options.OidcAuthority!);
        auth.AddJwtBearer(AuthSetup.JwtScheme, o =>
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
        auth.AddOpenIdConnect(AuthSetup.OidcScheme, o =>
        {
            o.Authority = options.OidcAuthority;
            o.ClientId = options.OidcClientId;
            o.ClientSecret = options.OidcClientSecretFile is { } f ? File.ReadAllText(f).Trim() : null;
            o.RequireHttpsMetadata = !httpMetadata;
            o.ResponseType = "code";
            o.UsePkce = true;
            o.SignInScheme = AuthSetup.CookieScheme;
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
                        c.Response.Redirect($"{AuthSetup.SignInPath}?failed=sso");
                        c.HandleResponse();
                    }
                    else
                    {
                        // Tokens are not refreshed, so the issuer's verdict is not asked again: the session's maximum
                        // age is what bounds a user since taken out of the allowed groups.
                        settings.Sessions.Stamp((ClaimsIdentity)c.Principal!.Identity!, null);
                    }

                    return Task.CompletedTask;
                },
            };
        });
    }

    private static bool GrantReadIfAllowed(ClaimsPrincipal principal, AuthSettings settings)
    {
        // A member of a control group reads too: acting on workers without seeing them would be blind.
        var controls = settings.SsoUserControls(principal);
        if (!(controls || settings.SsoUserAllowed(principal)) || principal.Identity is not ClaimsIdentity identity)
        {
            return false;
        }

        identity.AddClaim(new Claim(identity.RoleClaimType, AuthSettings.ReadRole));
        if (controls)
        {
            identity.AddClaim(new Claim(identity.RoleClaimType, AuthSettings.ControlRole));
        }

        identity.AddClaim(new Claim(AuthSettings.MethodClaim, "sso"));
        return true;
    }

    private static bool IsLoopbackHttp(string authority) =>
        authority.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && AuthSetup.IsLoopbackAddress(authority);
}
