namespace Ingest.Security;

/// <summary>
/// The page to go back to after signing in (<c>return</c>), which ends up in a <c>Location</c> header. Only a path
/// on this site is taken. Issue 24: <c>/&lt;TAB&gt;/evil.example</c> was answered as <c>Location: /\t/evil.example</c>,
/// which browsers read as <c>//evil.example</c> (they drop tabs and newlines from URLs, and read <c>\</c> as
/// <c>/</c>), and headless chromium followed it off-site; a CR or LF made the header invalid and the answer a 500.
/// </summary>
internal static class ReturnPath
{
    /// <summary>Where a sign-in goes when no return path was given.</summary>
    public const string StartPage = "/";

    /// <summary>Why a return value is refused, for the 400.</summary>
    public const string Rule = "return must be a path on this site: starting with one /, without backslashes or control characters (raw or percent-encoded)";

    // Enough rounds to see through %2509 (an encoded %09) and the like; a value still changing after them is refused.
    private const int DecodeRounds = 3;

    /// <summary>
    /// True when <paramref name="value"/> is a path on this site, or empty (then <paramref name="path"/> is the
    /// start page); false for anything a browser could read as another site, or that cannot go in a header.
    /// </summary>
    public static bool TryRead(string? value, out string path)
    {
        path = StartPage;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        // Raw: printable ASCII only, which a header can carry; what is beyond is sent percent-encoded.
        if (value.Any(c => c is < (char)0x20 or > (char)0x7E or '\\') || !IsLocalPath(value))
        {
            return false;
        }

        var decoded = value;
        for (var round = 0; round < DecodeRounds; round++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                path = value;
                return true;
            }

            decoded = next;
            if (decoded.Any(char.IsControl) || !IsLocalPath(decoded))
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsLocalPath(string value) =>
        value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal) && !value.StartsWith("/\\", StringComparison.Ordinal);
}
