using Microsoft.AspNetCore.Authorization;

namespace Ingest.Security;

/// <summary>The authorization policies: who may read task data and who may post events.</summary>
internal static class AuthPolicies
{
    /// <summary>Adds the read and ingest policies; with <c>--no-auth</c> both let everyone through.</summary>
    public static void Configure(AuthorizationOptions a, AuthOptions options)
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
    }
}
