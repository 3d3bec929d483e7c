using Microsoft.AspNetCore.Authorization;

namespace Ingest.Security;

/// <summary>The authorization policies: who may read task data, who may post events and who may act on workers.</summary>
internal static class AuthPolicies
{
    /// <summary>Adds the read, ingest and control policies; with <c>--no-auth</c> they all let everyone through.</summary>
    public static void Configure(AuthorizationOptions a, AuthOptions options)
    {
        if (options.Disabled)
        {
            a.AddPolicy(AuthSettings.ReadPolicy, p => p.RequireAssertion(_ => true));
            a.AddPolicy(AuthSettings.IngestPolicy, p => p.RequireAssertion(_ => true));
            a.AddPolicy(AuthSettings.ControlPolicy, p => p.RequireAssertion(_ => true));
            return;
        }

        a.AddPolicy(AuthSettings.ReadPolicy, p => p.RequireAuthenticatedUser().RequireRole(AuthSettings.ReadRole));
        a.AddPolicy(AuthSettings.IngestPolicy, p => p.RequireAuthenticatedUser().RequireRole(AuthSettings.IngestRole));
        // Acting on workers (issue 27) is a role of its own: reading task data never grants it.
        a.AddPolicy(AuthSettings.ControlPolicy, p => p.RequireAuthenticatedUser().RequireRole(AuthSettings.ControlRole));
        // Everything not marked otherwise, static files of the UI included, needs a reader.
        a.FallbackPolicy = a.GetPolicy(AuthSettings.ReadPolicy);
    }
}
