using System.Text;

namespace Ingest.Storage.Reading;

/// <summary>
/// Turns what a user types into an FTS5 query that cannot be misread as FTS5 syntax. Each whitespace-separated
/// term becomes a quoted phrase (so <c>order_id=12345</c> matches the tokens order, id, 12345 side by side,
/// as in <c>{'order_id': 12345}</c>) and all terms must match. Tokens are whole words and numbers: 12345 does
/// not match 123456.
/// </summary>
public static class SearchText
{
    public const int MaxLength = 256;

    /// <summary>The FTS5 query, or an error a user can act on.</summary>
    public static bool TryParse(string? text, out string fts, out string? error)
    {
        fts = "";
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "q is empty";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"q is longer than {MaxLength} characters";
            return false;
        }

        var query = new StringBuilder();
        foreach (var term in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!term.Any(char.IsLetterOrDigit))
            {
                continue; // punctuation alone has no token to find
            }

            if (query.Length > 0)
            {
                query.Append(" AND ");
            }

            query.Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        if (query.Length == 0)
        {
            error = "q has no letter or digit to search for";
            return false;
        }

        fts = query.ToString();
        return true;
    }
}
