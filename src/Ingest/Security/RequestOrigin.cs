namespace Ingest.Security;

/// <summary>
/// Where a browser says a request comes from, for the posts that change who is signed in: the sign-in form (no one
/// is signed in to an account they did not choose) and sign-out (issue 24: a page on another site could sign a
/// user out). The headers read are ones a page cannot set: <c>Sec-Fetch-Site</c>, <c>Origin</c> and <c>Referer</c>.
/// </summary>
internal static class RequestOrigin
{
    /// <summary>True when a header names another origin; a request with none of them (a script's) is not.</summary>
    public static bool IsFromElsewhere(HttpRequest request) => Judge(request) == Verdict.Cross;

    /// <summary>True only when a header is there and every one names this site's own origin.</summary>
    public static bool IsFromHere(HttpRequest request) => Judge(request) == Verdict.Same;

    /// <summary>Judges a request by every origin header it carries; any one naming another origin makes it cross-origin.</summary>
    private static Verdict Judge(HttpRequest request)
    {
        var own = Normal($"{request.Scheme}://{request.Host}");
        var verdict = Verdict.Unknown;
        if (request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site)
        {
            if (!string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase))
            {
                return Verdict.Cross;
            }

            verdict = Verdict.Same;
        }

        foreach (var header in new[] { request.Headers.Origin.ToString(), request.Headers.Referer.ToString() })
        {
            if (header.Length == 0)
            {
                continue;
            }

            // "null" (a sandboxed frame, a redirect from elsewhere) and anything unparsable count as another origin.
            if (own is null || Normal(header) is not { } origin || !string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
            {
                return Verdict.Cross;
            }

            verdict = Verdict.Same;
        }

        return verdict;
    }

    /// <summary><c>scheme://host[:port]</c>, the port left out when it is the scheme's default.</summary>
    private static string? Normal(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u.GetLeftPart(UriPartial.Authority) : null;

    private enum Verdict
    {
        /// <summary>None of the headers is there (a script, or a browser that sent none).</summary>
        Unknown,

        /// <summary>Every header there names this site's own origin.</summary>
        Same,

        /// <summary>At least one header names another origin, or an opaque one.</summary>
        Cross,
    }
}
