using System.Text;

namespace Ingest.Storage.Reading;

/// <summary>
/// A phrase found in ASCII text without tokenizing it (issue 29: a day walked in time order checks every row it
/// passes, and most rows' args and kwargs are ASCII). In ASCII, unicode61's tokens are exactly the runs of letters
/// and digits, lower-cased: the text is lower-cased in place, each occurrence of the first token is found by a
/// vectorized search, and the phrase holds there when that occurrence is a whole token followed, separator by
/// separator, by the others as whole tokens.
/// </summary>
internal static class AsciiPhrase
{
    /// <summary>The phrase's tokens as ASCII bytes, or null when one is not ASCII (it never stands in ASCII text).</summary>
    public static byte[][]? Encode(string[] phrase) =>
        phrase.All(t => t.Length > 0 && Ascii.IsValid(t)) ? [.. phrase.Select(Encoding.ASCII.GetBytes)] : null;

    /// <summary>Lower-cases ASCII text in place (the array is the caller's own copy) and returns it.</summary>
    public static byte[] Lower(byte[] text)
    {
        Ascii.ToLowerInPlace(text, out _);
        return text;
    }

    /// <summary>True when <paramref name="phrase"/> (<see cref="Encode"/>) stands in <paramref name="lowered"/> (<see cref="Lower"/>).</summary>
    public static bool Contains(ReadOnlySpan<byte> lowered, byte[][]? phrase)
    {
        if (phrase is null)
        {
            return false;
        }

        for (var from = 0; from < lowered.Length;)
        {
            var at = lowered[from..].IndexOf(phrase[0]);
            if (at < 0)
            {
                return false;
            }

            at += from;
            if ((at == 0 || !IsTokenByte(lowered[at - 1])) && StandsAt(lowered, at, phrase))
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }

    private static bool StandsAt(ReadOnlySpan<byte> text, int at, byte[][] phrase)
    {
        for (var k = 0; k < phrase.Length; k++)
        {
            if (k > 0)
            {
                while (at < text.Length && !IsTokenByte(text[at]))
                {
                    at++; // the separators between two tokens
                }
            }

            var token = phrase[k];
            if (!text[at..].StartsWith(token) || (at + token.Length < text.Length && IsTokenByte(text[at + token.Length])))
            {
                return false; // absent, or only the start of a longer token
            }

            at += token.Length;
        }

        return true;
    }

    private static bool IsTokenByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9';
}
