using System.Buffers;
using System.Text;

namespace Ingest.Decoding;

/// <summary>
/// Masks the values of secret-looking keys in Celery's repr text (args, kwargs, result) before anything stores,
/// indexes or streams it: <c>{'password': 'hunter2'}</c> becomes <c>{'password': '***'}</c>. A key matches when
/// its name contains one of the configured words, case-insensitively. Two shapes are caught: a quoted dict key
/// followed by <c>:</c> (Python and JSON dicts, nested anywhere), and a bare name followed by <c>=</c>
/// (<c>password='x'</c> in a repr, <c>?token=abc</c> in a URL). The whole value goes, however it is written:
/// a string, a number, a nested dict or list. Positional values, secrets inside messages or tracebacks, and keys
/// named otherwise are not caught. Thread-safe; text without any of the words is returned as it is, after one
/// vectorised search.
/// </summary>
public sealed class Redactor
{
    /// <summary>What <c>--redact-keys</c> defaults to.</summary>
    public const string DefaultKeys =
        "password,passwd,secret,token,authorization,api_key,apikey,access_key,private_key,credential,card,cvv,ssn,cookie";

    public const string Mask = "***";

    private readonly SearchValues<string> _words;

    private Redactor(string[] words)
    {
        _words = SearchValues.Create(words, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A redactor for a comma-separated list of words, or null when the list is empty or <c>none</c> (redaction off).</summary>
    public static Redactor? Create(string? keys)
    {
        var words = (keys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0 || (words.Length == 1 && string.Equals(words[0], "none", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return new Redactor(words);
    }

    /// <summary>The text with every matching key's value masked, and how many values were masked.</summary>
    public string Redact(string text, out int masked) => Redact(text, depth: 0, out masked);

    private string Redact(string text, int depth, out int masked)
    {
        masked = 0;
        if (text.AsSpan().IndexOfAny(_words) < 0)
        {
            return text;
        }

        StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            int keyStart, keyEnd, separator;
            if (c is '\'' or '"')
            {
                var close = EndOfQuoted(text, i);
                keyStart = i + 1;
                keyEnd = close;
                separator = SkipSpaces(text, Math.Min(close + 1, text.Length));
                if (separator >= text.Length || text[separator] != ':')
                {
                    // A string that is not a key: a JSON document inside it ('{"token": "x"}') is read on its own,
                    // so a stray quote inside can never put the scan of the rest out of step.
                    if (depth < 4 && close > keyStart
                        && Redact(text.Substring(keyStart, close - keyStart), depth + 1, out var inner) is var content && inner > 0)
                    {
                        output ??= new StringBuilder(text.Length);
                        output.Append(text, copied, keyStart - copied).Append(content);
                        copied = close;
                        masked += inner;
                    }

                    i = close + 1;
                    continue;
                }
            }
            else if (IsNameChar(c) && (i == 0 || !IsNameChar(text[i - 1])))
            {
                var end = i;
                while (end < text.Length && IsNameChar(text[end]))
                {
                    end++;
                }

                keyStart = i;
                keyEnd = end;
                separator = end;
                if (separator >= text.Length || text[separator] != '=' || (separator + 1 < text.Length && text[separator + 1] == '='))
                {
                    i = end;
                    continue;
                }
            }
            else
            {
                i++;
                continue;
            }

            var valueStart = SkipSpaces(text, separator + 1);
            if (valueStart >= text.Length || text.AsSpan(keyStart, keyEnd - keyStart).IndexOfAny(_words) < 0)
            {
                i = separator + 1;
                continue;
            }

            var valueEnd = EndOfValue(text, valueStart);
            i = valueEnd;
            if (text.AsSpan(valueStart, valueEnd - valueStart).Trim("'\"").SequenceEqual(Mask))
            {
                continue; // masked already (a re-sent or replayed event)
            }

            output ??= new StringBuilder(text.Length);
            output.Append(text, copied, valueStart - copied);
            // A quoted value keeps its quotes; a dict value of another kind becomes a string, so a repr stays a repr.
            var quote = text[valueStart] is '\'' or '"' ? text[valueStart] : text[separator] == ':' ? '\'' : '\0';
            if (quote == '\0')
            {
                output.Append(Mask);
            }
            else
            {
                output.Append(quote).Append(Mask).Append(quote);
            }

            copied = valueEnd;
            masked++;
        }

        if (output is null)
        {
            return text;
        }

        output.Append(text, copied, text.Length - copied);
        return output.ToString();
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>Index of the quote closing the string that opens at <paramref name="open"/> (backslash escapes), or the text's length if it never closes.</summary>
    private static int EndOfQuoted(string text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                return i;
            }
        }

        return text.Length;
    }

    /// <summary>
    /// End (exclusive) of the value starting at <paramref name="start"/>: a quoted string, a bracketed value
    /// (brackets balanced, strings inside skipped), or a bare token up to the next separator, with the
    /// brackets of a call after it (<c>SecretStr('x')</c>).
    /// </summary>
    private static int EndOfValue(string text, int start)
    {
        var c = text[start];
        if (c is '\'' or '"')
        {
            return Math.Min(EndOfQuoted(text, start) + 1, text.Length);
        }

        if (c is '{' or '[' or '(')
        {
            var depth = 0;
            for (var i = start; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case '\'' or '"':
                        i = EndOfQuoted(text, i);
                        break;
                    case '{' or '[' or '(':
                        depth++;
                        break;
                    case '}' or ']' or ')':
                        if (--depth == 0)
                        {
                            return i + 1;
                        }

                        break;
                }
            }

            return text.Length;
        }

        var end = start;
        while (end < text.Length && text[end] is not (',' or '}' or ')' or ']' or '(' or '&' or ';' or ' ' or '\t' or '\n' or '\r' or '\'' or '"'))
        {
            end++;
        }

        return end < text.Length && text[end] == '(' ? EndOfValue(text, end) : end;
    }
}
