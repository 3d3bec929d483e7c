using System.Security.Claims;
using Ingest.Web;
using Microsoft.AspNetCore.Authentication;

namespace Ingest.Security;

/// <summary>The sign-in page, its form's post, sign-out and the hand-off to single sign-on.</summary>
internal static class SignInEndpoints
{
    private const string HtmlType = "text/html; charset=utf-8";

    /// <summary>Maps the endpoints; with <c>--no-auth</c> only a sign-out that goes back to the start page.</summary>
    public static void Map(WebApplication app, AuthOptions options, AuthSettings settings)
    {
        if (options.Disabled)
        {
            app.MapPost("/signout", () => Results.Redirect("/"));
            return;
        }

        app.MapGet(AuthSetup.SignInPath, (string? @return, string? failed) => ReturnPath.TryRead(@return, out var back)
                ? Results.Content(SignInPageHtml.Render(settings, back, failed), HtmlType)
                : Results.Content(SignInPageHtml.Render(settings, ReturnPath.StartPage, "return"), HtmlType, statusCode: StatusCodes.Status400BadRequest))
            .AllowAnonymous();
        app.MapPost(AuthSetup.SignInPath, SignInAsync).AllowAnonymous().DisableAntiforgery();
        // Open to all, so that a cross-site post is told 403 whether or not its cookie still reads.
        app.MapPost("/signout", SignOutAsync).AllowAnonymous();
        if (options.OidcConfigured)
        {
            app.MapGet($"{AuthSetup.SignInPath}/sso", (string? @return) => ReturnPath.TryRead(@return, out var back)
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = back }, [AuthSetup.OidcScheme])
                : BadReturn()).AllowAnonymous();
        }
    }

    private static async Task<IResult> SignInAsync(HttpContext http, AuthSettings settings)
    {
        // A sign-in form posted from another site is refused: no one is signed in to an account they did not choose.
        if (RequestOrigin.IsFromElsewhere(http.Request))
        {
            return Results.Json(new ErrorView("sign-in from another site is refused"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (!http.Request.HasFormContentType)
        {
            return Results.Json(new ErrorView("sign in with the form: application/x-www-form-urlencoded"), statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["username"].ToString();
        var password = form["password"].ToString();
        if (!ReturnPath.TryRead(form["return"].ToString(), out var back))
        {
            return BadReturn();
        }

        // Read before the password is checked: should the file change in between, the session carries the old
        // line's stamp and ends at its first use, rather than a new line's stamp vouching for an old password.
        var stamp = settings.Users?.CredentialStamp(user);
        if (!settings.VerifyPassword(http.Connection.RemoteIpAddress, user, password, out var retryAfter))
        {
            if (retryAfter is { } wait)
            {
                http.Response.Headers.RetryAfter = LocalAuthHandler.RetrySeconds(wait);
                return Results.Content(SignInPageHtml.Render(settings, back, "throttled"), HtmlType, statusCode: StatusCodes.Status429TooManyRequests);
            }

            return Results.Redirect($"{AuthSetup.SignInPath}?failed=1&return={Uri.EscapeDataString(back)}");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user), .. settings.LocalRoles(user).Select(r => new Claim(ClaimTypes.Role, r)), new Claim(AuthSettings.MethodClaim, "password")],
            AuthSetup.CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        settings.Sessions.Stamp(identity, stamp);
        await http.SignInAsync(AuthSetup.CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(back);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, AuthSettings settings)
    {
        // A post another site's page made (a link, a form, an image) must not end the user's session: it needs this
        // site's own origin, which the UI's sign-out form sends (Origin, and Sec-Fetch-Site: same-origin).
        if (!RequestOrigin.IsFromHere(http.Request))
        {
            return Results.Json(new ErrorView("sign-out from another site is refused"), statusCode: StatusCodes.Status403Forbidden);
        }

        settings.Sessions.SignOut(http.User);
        await http.SignOutAsync(AuthSetup.CookieScheme);
        return Results.Redirect(AuthSetup.SignInPath);
    }

    private static IResult BadReturn() => Results.Json(new ErrorView(ReturnPath.Rule), statusCode: StatusCodes.Status400BadRequest);
}
