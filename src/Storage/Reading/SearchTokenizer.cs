using System.Text;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Reading;

/// <summary>
/// Splits text into tokens exactly as the day indexes' tokenizer (FTS5's unicode61, its defaults) does, so that a
/// phrase the index can no longer check (a day indexed with <c>detail = none</c> keeps no token positions, issue 29)
/// is checked against the stored text with the index's own idea of a token.
/// </summary>
/// <remarks>
/// unicode61 decides per code point: whether it starts a token (letters, numbers and private-use characters in
/// SQLite's Unicode tables), whether it only continues one (combining diacritics), and what it folds to (lower
/// case, Latin diacritics removed, or nothing). .NET's own tables are of a newer Unicode and fold differently,
/// so instead of approximating them this class asks SQLite: the first time text of a Unicode plane is met, every
/// code point of that plane is put through an in-memory FTS5 table (detail=full) and read back token by token
/// through <c>fts5vocab</c>. That costs up to a second once per plane and process (0.75 s for plane 0 in a python
/// probe of the same statements; the first search of a positionless day pays it, and most text never leaves plane 0)
/// and 256 KiB per plane probed, at most 17 planes.
/// </remarks>
internal static class SearchTokenizer
{
    private const int PlaneSize = 0x10000;
    private const int Separator = -1;
    private const int StartsBit = 1 << 30;
    private const int FoldMask = 0x1FFFFF;

    private static readonly int[]?[] s_planes = new int[]?[17];
    private static readonly Lock s_probing = new();

    /// <summary>The tokens of <paramref name="text"/>, folded as the index stores them, in order.</summary>
    public static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens, null);
        return tokens;
    }

    /// <summary>Where each token of <paramref name="text"/> stands in it, unfolded (for a query the index re-tokenizes itself).</summary>
    public static List<Range> Spans(string text)
    {
        var spans = new List<Range>();
        Tokenize(text, null, spans);
        return spans;
    }

    private static void Tokenize(string text, List<string>? tokens, List<Range>? spans)
    {
        var folded = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var width);
            var kind = Kind(rune.Value);
            if ((kind & StartsBit) == 0 || kind == Separator)
            {
                i += width; // between tokens a character that only continues one is a separator, as in unicode61
                continue;
            }

            var start = i;
            folded.Clear();
            do
            {
                Append(folded, kind);
                i += width;
                if (i >= text.Length)
                {
                    break;
                }

                Rune.DecodeFromUtf16(text.AsSpan(i), out rune, out width);
                kind = Kind(rune.Value);
            }
            while (kind != Separator);

            tokens?.Add(folded.ToString());
            spans?.Add(start..i);
        }
    }

    private static void Append(StringBuilder folded, int kind)
    {
        var fold = kind & FoldMask;
        if (fold != 0)
        {
            folded.Append(char.ConvertFromUtf32(fold)); // 0: a diacritic unicode61 drops
        }
    }

    /// <summary>Separator (-1), or the code point's fold with <see cref="StartsBit"/> set when it may start a token.</summary>
    private static int Kind(int codePoint)
    {
        if (codePoint < 0x80)
        {
            // ASCII, without a table lookup: letters (folded to lower case) and digits; everything else separates.
            return codePoint switch
            {
                >= 'a' and <= 'z' or >= '0' and <= '9' => codePoint | StartsBit,
                >= 'A' and <= 'Z' => (codePoint + 32) | StartsBit,
                _ => Separator,
            };
        }

        var plane = codePoint / PlaneSize;
        var table = Volatile.Read(ref s_planes[plane]) ?? Probe(plane);
        return table[codePoint % PlaneSize];
    }

    private static int[] Probe(int plane)
    {
        lock (s_probing)
        {
            if (s_planes[plane] is not { } table)
            {
                table = Read(plane);
                Volatile.Write(ref s_planes[plane], table); // published whole: readers take it without the lock
            }

            return table;
        }
    }

    /// <summary>
    /// Each code point <c>c</c> of the plane as two texts: <c>a c b</c> (one token when c continues a token, and
    /// the token's middle is c's fold; two when c separates) and <c>c b</c> (a token other than <c>b</c> when c
    /// starts one). A code point that starts a token and folds to nothing reads as one that only continues:
    /// the tokens come out the same.
    /// </summary>
    private static int[] Read(int plane)
    {
        var table = new int[PlaneSize];
        Array.Fill(table, Separator);
        using var connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        connection.Open();
        SqliteConnections.Execute(connection, """
            CREATE VIRTUAL TABLE probe USING fts5 (inside, leading);
            CREATE VIRTUAL TABLE probe_terms USING fts5vocab (probe, instance);
            BEGIN;
            """);
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO probe (rowid, inside, leading) VALUES ($c, $inside, $leading)";
            var id = insert.Parameters.Add("$c", SqliteType.Integer);
            var inside = insert.Parameters.Add("$inside", SqliteType.Text);
            var leading = insert.Parameters.Add("$leading", SqliteType.Text);
            for (var c = plane * PlaneSize; c < (plane + 1) * PlaneSize; c++)
            {
                if (!Rune.IsValid(c))
                {
                    continue; // surrogate halves: no text holds them (an unpaired one is stored as U+FFFD)
                }

                var s = char.ConvertFromUtf32(c);
                id.Value = c;
                inside.Value = "a" + s + "b";
                leading.Value = s + "b";
                insert.ExecuteNonQuery();
            }
        }

        var inner = new Dictionary<long, List<string>>();
        var starts = new HashSet<long>();
        using (var terms = connection.CreateCommand())
        {
            terms.CommandText = "SELECT term, doc, col FROM probe_terms ORDER BY doc, col, offset";
            using var reader = terms.ExecuteReader();
            while (reader.Read())
            {
                var (term, doc, col) = (reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
                if (col == "inside")
                {
                    (inner.TryGetValue(doc, out var list) ? list : inner[doc] = []).Add(term);
                }
                else if (term != "b")
                {
                    starts.Add(doc);
                }
            }
        }

        foreach (var (c, found) in inner)
        {
            if (found.Count == 1)
            {
                var middle = found[0][1..^1];
                var fold = middle.Length == 0 ? 0 : char.ConvertToUtf32(middle, 0);
                table[c % PlaneSize] = fold | (starts.Contains(c) ? StartsBit : 0);
            }
        }

        return table;
    }
}
