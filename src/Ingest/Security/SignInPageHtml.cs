using System.Text.Encodings.Web;

namespace Ingest.Security;

/// <summary>
/// The sign-in page's HTML. Every value put into it is HTML-encoded here, the return path above all: it comes
/// from the query string, and unescaped it would be markup on this site's origin.
/// </summary>
internal static class SignInPageHtml
{
    /// <summary>The page: the password form when a users file is set, the single sign-on link when an issuer is.</summary>
    public static string Render(AuthSettings settings, string back, string? failed)
    {
        var e = HtmlEncoder.Default;
        var path = e.Encode(AuthSetup.SignInPath);
        var message = Message(failed) is { } text ? $"""<p class="signin-error" role="alert">{e.Encode(text)}</p>""" : "";
        var form = settings.Users is null ? "" : $"""
            <form method="post" action="{path}" class="signin-form">
              <input type="hidden" name="return" value="{e.Encode(back)}">
              <label>User <input name="username" autocomplete="username" required autofocus></label>
              <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
              <button type="submit">Sign in</button>
            </form>
            """;
        var sso = settings.Options.OidcConfigured ? $"""<p><a class="signin-sso" href="{path}/sso?return={e.Encode(Uri.EscapeDataString(back))}">Sign in with single sign-on</a></p>""" : "";
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

    private static string? Message(string? failed) => failed switch
    {
        null or "" => null,
        "sso" => "Your single sign-on account is not in a group or domain allowed here.",
        "return" => "The link you followed would have left this site after signing in; you will go to the start page instead.",
        "throttled" => "Too many failed sign-ins from your address. Wait a few minutes, then try again.",
        _ => "Wrong user or password.",
    };
}
