using Ingest.Security;
using Microsoft.AspNetCore.Authorization;

namespace Ingest.Hosting;

/// <summary>The signed-in user (null with sign-in off), whether sign-in is on, whether the user may act on workers, and the UI session's anti-forgery token.</summary>
/// <param name="User">The user's name; null when not signed in or with <c>--no-auth</c>.</param>
/// <param name="AuthEnabled">False with <c>--no-auth</c>.</param>
/// <param name="CanControl">The control role (issue 27): the console shows its controls only then.</param>
/// <param name="AntiforgeryToken">For a UI session: the value of the <c>X-Ingest-Antiforgery</c> header on control posts; null for every other caller.</param>
/// <param name="ControlAvailable">False when no broker is configured to send commands through, so the console says so rather than failing.</param>
public sealed record MeView(string? User, bool AuthEnabled, bool CanControl, string? AntiforgeryToken, bool ControlAvailable)
{
    /// <summary><c>GET /api/me</c>.</summary>
    public static async Task<MeView> ForAsync(HttpContext http, AuthOptions auth, IAuthorizationService authorization)
    {
        var canControl = (await authorization.AuthorizeAsync(http.User, AuthSettings.ControlPolicy)).Succeeded;
        var available = http.RequestServices.GetService<Control.IFleetControl>()?.Available == true;
        return new MeView(http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null, !auth.Disabled, canControl, ControlGate.TokenFor(http), available);
    }
}
