using System.Text;
using Ingest.Storage.Writing;

namespace Ingest.Storage.Reading;

/// <summary>
/// A value search on a day whose index keeps no token positions (FTS5 <c>detail = none</c>, issue 29: 55 bytes per
/// invocation against 204 with positions). Such an index refuses phrase queries, so a term of several tokens
/// (<c>order_id=12345</c>, <c>"connection reset"</c>) asks it for rows holding every token, anywhere, and each of
/// those candidates is then checked against the stored text it was indexed from: the phrase's tokens side by side
/// in one column, as the positional index would have answered. A term of one token is asked exactly as
/// <see cref="SearchText.TryParse"/> asks a positional index, and needs no check.
/// </summary>
internal sealed class PositionlessQuery
{
    /// <summary>The name of the SQL function a candidate row is checked with (registered per read).</summary>
    public const string CheckFunction = "ingest_search_phrases";

    private readonly List<string[]> _phrases;

    private PositionlessQuery(string indexQuery, List<string[]> phrases)
    {
        IndexQuery = indexQuery;
        _phrases = phrases;
    }

    /// <summary>The FTS5 query for the index: every single-token term as it is, every token of the other terms, all AND-ed.</summary>
    public string IndexQuery { get; }

    /// <summary>Whether candidates need <see cref="Matches"/>: some term is a phrase of two tokens or more.</summary>
    public bool NeedsCheck => _phrases.Count > 0;

    /// <summary>
    /// The query for <paramref name="text"/>, which <see cref="SearchText.TryParse"/> accepted: the same terms
    /// (whitespace-separated, those without a letter or digit left out).
    /// </summary>
    public static PositionlessQuery Parse(string text)
    {
        var query = new StringBuilder();
        var phrases = new List<string[]>();
        foreach (var term in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!term.Any(char.IsLetterOrDigit))
            {
                continue; // as TryParse: punctuation alone has no token to find
            }

            var spans = SearchTokenizer.Spans(term);
            if (spans.Count <= 1)
            {
                SearchText.AppendPhrase(query, term); // the same phrase TryParse makes: the index tokenizes it to one token (or none)
                continue;
            }

            foreach (var span in spans)
            {
                SearchText.AppendPhrase(query, term[span]); // a run of token characters: never a quote, never several tokens
            }

            phrases.Add([.. SearchTokenizer.Tokens(term)]);
        }

        return new PositionlessQuery(query.ToString(), phrases);
    }

    /// <summary>
    /// <see cref="Matches"/> on the columns' UTF-8 bytes, as the SQL function gets them: SQLite's text of a value
    /// stops at its first NUL, and the index read past it (args of <c>'acme\0gold'</c> hold the phrase <c>acme gold</c>).
    /// </summary>
    public bool MatchesUtf8(byte[]? args, byte[]? kwargs, byte[]? result, byte[]? exception, byte[]? traceback) =>
        Matches(Text(args), Text(kwargs), Text(result), Text(exception), Text(traceback));

    /// <summary>
    /// True when every phrase stands, its tokens side by side, in one of the texts the row was indexed from: its
    /// args, its kwargs, and its result or (a failure's) exception and traceback's last frame.
    /// </summary>
    public bool Matches(string? args, string? kwargs, string? result, string? exception, string? traceback)
    {
        var columns = new List<string>?[3];
        var texts = new[] { args, kwargs, result ?? PartitionStatements.SearchableFailure(exception, traceback) };
        foreach (var phrase in _phrases)
        {
            var found = false;
            for (var c = 0; c < texts.Length && !found; c++)
            {
                if (texts[c] is { } t)
                {
                    found = SearchText.Contains(columns[c] ??= SearchTokenizer.Tokens(t), phrase);
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(byte[]? utf8) => utf8 is null ? null : Encoding.UTF8.GetString(utf8);
}
