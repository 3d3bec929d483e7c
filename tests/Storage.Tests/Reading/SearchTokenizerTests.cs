using Ingest.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Tests.Reading;

/// <summary>Issue 29: phrases on a day without token positions are checked with the index's own tokens, or answers would differ.</summary>
public sealed class SearchTokenizerTests
{
    /// <summary>Pieces whose tokens .NET's char tests and lower-casing get wrong, or that only continue a token.</summary>
    private static readonly string[] s_pieces =
    [
        "order", "ID", "12345", "_", "=", " ", "'", "\"", "*", "(", "\t", "\u0000", "\u00A0", "\u200D", "-",
        "É", "é", "e\u0301", "\u0301", "\u0308x", "ß", "ẞ", "ǅ", "İ", "ı", "\u212B", "Å", "ﬁ", "Ａ", "ΣΑΣ", "ς",
        "Ⅻ", "²", "٣", "½", "漢字", "カタカナ", "한글", "😀", "𐐀", "𐐨", "\uE000", "\U000F0000", "\uFFFD", "ǈ",
        "Ø", "ø", "Ł", "đ", "Ǖ", "ǖ", "ḉ", "ỹ", "\u0345", "\u0640", "\u05D0\u05B8", "क्ष", "ไทย", "\u1E9E",
    ];

    [Fact]
    public void Tokens_OfMixedScriptText_AreTheTokensFts5Indexes_Issue29()
    {
        var random = new Random(29);
        var texts = Enumerable.Range(0, 600)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => s_pieces[random.Next(s_pieces.Length)])))
            .Concat(s_pieces)
            .ToList();

        var indexed = Fts5Tokens(texts);

        for (var i = 0; i < texts.Count; i++)
        {
            var ours = SearchTokenizer.Tokens(texts[i]);
            Assert.True(indexed[i].SequenceEqual(ours), $"\"{Escape(texts[i])}\": FTS5 [{string.Join(", ", indexed[i].Select(Escape))}], ours [{string.Join(", ", ours.Select(Escape))}]");
            Assert.Equal(ours, SearchTokenizer.Spans(texts[i]).Select(r => string.Concat(SearchTokenizer.Tokens(texts[i][r]))));
        }
    }

    [Fact]
    public void AsciiPhrase_OnAsciiText_FindsWhatTheTokensFind_Issue29()
    {
        var random = new Random(290);
        string[] words = ["order", "ORDER", "id", "Id", "12345", "1234", "order_id", "=", " ", "'", ":", "_", "\u0000", "\n", "ab", "abab", "b"];
        string Text(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
        var compared = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = Text(random.Next(0, 14));
            var phrase = SearchTokenizer.Tokens(Text(random.Next(1, 5))).ToArray();
            if (phrase.Length == 0)
            {
                continue;
            }

            var expected = SearchText.Contains(SearchTokenizer.Tokens(text), phrase);
            Assert.True(expected == AsciiPhrase.Contains(AsciiPhrase.Lower(System.Text.Encoding.ASCII.GetBytes(text)), AsciiPhrase.Encode(phrase)), $"\"{Escape(text)}\" ~ [{string.Join(", ", phrase)}]: tokens say {expected}");
            compared += expected ? 1 : 0;
        }

        Assert.InRange(compared, 100, 3000); // some phrases do stand in their text
    }

    /// <summary>Each text's tokens as an FTS5 table with positions (detail=full) holds them, in order.</summary>
    private static List<string>[] Fts5Tokens(List<string> texts)
    {
        using var connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        connection.Open();
        SqliteConnections.Execute(connection, "CREATE VIRTUAL TABLE t USING fts5 (x); CREATE VIRTUAL TABLE v USING fts5vocab (t, instance);");
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO t (rowid, x) VALUES ($id, $x)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var x = insert.Parameters.Add("$x", SqliteType.Text);
            for (var i = 0; i < texts.Count; i++)
            {
                (id.Value, x.Value) = (i, texts[i]);
                insert.ExecuteNonQuery();
            }
        }

        var tokens = texts.Select(_ => new List<string>()).ToArray();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT doc, term FROM v ORDER BY doc, offset";
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            tokens[reader.GetInt64(0)].Add(reader.GetString(1));
        }

        return tokens;
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));
}
