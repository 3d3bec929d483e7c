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

    /// <summary>The terms of several tokens, which the index cannot check.</summary>
    private readonly List<string[]> _phrases;

    /// <summary>Every term's tokens; null when some term has none (the index alone knows how FTS5 answers those).</summary>
    private readonly List<string[]>? _terms;

    /// <summary><see cref="_phrases"/> and <see cref="_terms"/> for ASCII text (<see cref="AsciiPhrase.Encode"/>).</summary>
    private readonly List<byte[][]?> _asciiPhrases;
    private readonly List<byte[][]?>? _asciiTerms;

    private PositionlessQuery(string indexQuery, List<string[]> phrases, List<string[]>? terms)
    {
        IndexQuery = indexQuery;
        _phrases = phrases;
        _terms = terms;
        _asciiPhrases = [.. phrases.Select(AsciiPhrase.Encode)];
        _asciiTerms = terms?.Select(AsciiPhrase.Encode).ToList();
    }

    /// <summary>The FTS5 query for the index: every single-token term as it is, every token of the other terms, all AND-ed.</summary>
    public string IndexQuery { get; }

    /// <summary>Whether candidates need <see cref="Matches"/>: some term is a phrase of two tokens or more.</summary>
    public bool NeedsCheck => _phrases.Count > 0;

    /// <summary>
    /// Whether a row can be matched from its stored text alone, every term checked without the index. A day walked
    /// in time order (a value in most rows) is checked so: asking this index for one rowid cost up to 2 ms on a
    /// day of a million rows (it has no positions to skip by; 0.1 ms with positions), its text about 5 µs.
    /// </summary>
    public bool CanScan => _terms is not null;

    /// <summary>
    /// The query for <paramref name="text"/>, which <see cref="SearchText.TryParse"/> accepted: the same terms
    /// (whitespace-separated, those without a letter or digit left out).
    /// </summary>
    public static PositionlessQuery Parse(string text)
    {
        var query = new StringBuilder();
        var phrases = new List<string[]>();
        List<string[]>? terms = [];
        foreach (var term in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!term.Any(char.IsLetterOrDigit))
            {
                continue; // as TryParse: punctuation alone has no token to find
            }

            var spans = SearchTokenizer.Spans(term);
            var tokens = SearchTokenizer.Tokens(term);
            if (tokens.Count == 0)
            {
                terms = null;
            }

            terms?.Add([.. tokens]);
            if (spans.Count <= 1)
            {
                SearchText.AppendPhrase(query, term); // the same phrase TryParse makes: the index tokenizes it to one token (or none)
                continue;
            }

            foreach (var span in spans)
            {
                SearchText.AppendPhrase(query, term[span]); // a run of token characters: never a quote, never several tokens
            }

            phrases.Add([.. tokens]);
        }

        return new PositionlessQuery(query.ToString(), phrases, terms);
    }

    /// <summary>
    /// True when every phrase stands, its tokens side by side, in one of the texts the row was indexed from: its
    /// args, its kwargs, and its result or (a failure's) exception and traceback's last frame. The SQL function
    /// gets them as UTF-8 bytes: SQLite's text of a value stops at its first NUL, and the index read past it
    /// (args of <c>'acme\0gold'</c> hold the phrase <c>acme gold</c>). Each array is this call's own.
    /// </summary>
    /// <param name="scan">1: every term checked (<see cref="CanScan"/>); 0: the phrases of a candidate the index named.</param>
    public bool MatchesUtf8(long scan, byte[]? args, byte[]? kwargs, byte[]? result, byte[]? exception, byte[]? traceback)
    {
        if (result is null && (exception is not null || traceback is not null))
        {
            result = Bytes(PartitionStatements.SearchableFailure(Text(exception), Text(traceback)));
        }

        byte[]?[] texts = [args, kwargs, result];
        var ascii = new bool[texts.Length];
        var tokens = new List<string>?[texts.Length];
        for (var c = 0; c < texts.Length; c++)
        {
            if (texts[c] is { } t && Ascii.IsValid(t))
            {
                ascii[c] = true;
                AsciiPhrase.Lower(t);
            }
        }

        var (phrases, encoded) = scan != 0 ? (_terms!, _asciiTerms!) : (_phrases, _asciiPhrases);
        for (var p = 0; p < phrases.Count; p++)
        {
            var found = false;
            for (var c = 0; c < texts.Length && !found; c++)
            {
                if (texts[c] is { } t)
                {
                    found = ascii[c]
                        ? AsciiPhrase.Contains(t, encoded[p])
                        : SearchText.Contains(tokens[c] ??= SearchTokenizer.Tokens(Encoding.UTF8.GetString(t)), phrases[p]);
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><see cref="MatchesUtf8"/> of text (tests).</summary>
    public bool Matches(string? args, string? kwargs, string? result, string? exception, string? traceback, bool scan = false) =>
        MatchesUtf8(scan ? 1 : 0, Bytes(args), Bytes(kwargs), Bytes(result), Bytes(exception), Bytes(traceback));

    private static byte[]? Bytes(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? utf8) => utf8 is null ? null : Encoding.UTF8.GetString(utf8);
}
