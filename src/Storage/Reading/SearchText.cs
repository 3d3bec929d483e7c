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

            AppendPhrase(query, term);
        }

        if (query.Length == 0)
        {
            error = "q has no letter or digit to search for";
            return false;
        }

        fts = query.ToString();
        return true;
    }

    /// <summary>
    /// The search's terms as token lists, for text held in memory (the tracker's in-flight tasks, issue 25) to be
    /// matched as the index matches stored rows: each term a phrase of letter-or-digit runs, compared case-insensitively.
    /// Empty when nothing can be searched for (<see cref="TryParse"/> refuses such text).
    /// </summary>
    public static IReadOnlyList<string[]> Phrases(string text)
    {
        var phrases = new List<string[]>();
        foreach (var term in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var tokens = Tokens(term);
            if (tokens.Count > 0)
            {
                phrases.Add([.. tokens]);
            }
        }

        return phrases;
    }

    /// <summary>True when every phrase occurs, its tokens side by side, within one of <paramref name="columns"/>.</summary>
    public static bool Matches(IReadOnlyList<string[]> phrases, params ReadOnlySpan<string?> columns)
    {
        // Most texts lack the phrase's words altogether: a plain substring test turns them away without tokenizing
        // (the tracker's whole map is walked under its lock, issue 25).
        foreach (var phrase in phrases)
        {
            var any = false;
            foreach (var column in columns)
            {
                any |= column is not null && column.Contains(phrase[0], StringComparison.OrdinalIgnoreCase);
            }

            if (!any)
            {
                return false;
            }
        }

        var tokenized = new List<string>[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            tokenized[i] = columns[i] is { } c ? Tokens(c) : [];
        }

        foreach (var phrase in phrases)
        {
            if (!Array.Exists(tokenized, tokens => Contains(tokens, phrase)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Appends <paramref name="phrase"/> to an FTS5 query as a quoted phrase, AND-ed with what is there.</summary>
    internal static void AppendPhrase(StringBuilder query, string phrase)
    {
        if (query.Length > 0)
        {
            query.Append(" AND ");
        }

        // SQLite reads the query as a C string: a NUL would end it inside the quotes ("unterminated string", a 500).
        // The tokenizer splits words at a NUL as at a space, so a space in its place keeps the phrase's meaning.
        query.Append('"').Append(phrase.Replace("\"", "\"\"", StringComparison.Ordinal).Replace('\0', ' ')).Append('"');
    }

    /// <summary>True when <paramref name="phrase"/>'s tokens stand side by side somewhere in <paramref name="tokens"/>.</summary>
    internal static bool Contains(List<string> tokens, string[] phrase)
    {
        for (var start = 0; start + phrase.Length <= tokens.Count; start++)
        {
            var k = 0;
            while (k < phrase.Length && tokens[start + k] == phrase[k])
            {
                k++;
            }

            if (k == phrase.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The tokens of <paramref name="text"/> as FTS5's default tokenizer (unicode61) splits it: runs of letters and
    /// digits, case-folded. Also what ClickHouse's terms table holds (issue 26), so both stores split text alike.
    /// </summary>
    internal static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inToken = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inToken && start < 0)
            {
                start = i;
            }
            else if (!inToken && start >= 0)
            {
                tokens.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return tokens;
    }
}
