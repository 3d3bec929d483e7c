using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ingest.Endpoints;

/// <summary>
/// Reads the Python literal text Celery records for a task's args and kwargs (<c>argsrepr</c>, <c>kwargsrepr</c>) into
/// JSON, so the task can be sent again (issue 27, Run again). Only what both Python and JSON can hold is taken: tuples
/// and lists (as arrays), dicts with string keys (as objects), <c>str</c> in single or double quotes with Python's
/// escapes, <c>int</c> and finite <c>float</c>, <c>True</c>, <c>False</c> and <c>None</c>. Everything else is refused
/// with the reason: a repr such as <c>&lt;object at 0x..&gt;</c> or <c>Decimal('1')</c> is not the value, and bytes,
/// sets and complex numbers would arrive as something else. Pure and bounded: at most <see cref="MaxChars"/> of text
/// and <see cref="MaxDepth"/> levels of nesting.
/// </summary>
public static partial class PythonLiteral
{
    /// <summary>Longer text is refused: Celery's reprs are about 1 KiB, and Ingest keeps at most 32 KiB of a field.</summary>
    public const int MaxChars = 64 * 1024;

    /// <summary>Deeper nesting is refused, so hostile text cannot exhaust the stack.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Parses <paramref name="text"/> as one Python literal. On success <paramref name="value"/> is its JSON (null for
    /// <c>None</c>); otherwise <paramref name="reason"/> says what could not be read and where.
    /// </summary>
    public static bool TryParse(string text, out JsonNode? value, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = null;
        if (text.Length > MaxChars)
        {
            reason = $"longer than {MaxChars} characters";
            return false;
        }

        var reader = new Reader(text);
        try
        {
            value = reader.ReadValue(depth: 0);
            reader.SkipSpace();
            if (!reader.AtEnd)
            {
                throw reader.Fail("text after the value");
            }

            reason = null;
            return true;
        }
        catch (LiteralException e)
        {
            value = null;
            reason = e.Message;
            return false;
        }
    }

    // Python's repr of an int or a finite float is also a JSON number; any other spelling is refused.
    [GeneratedRegex(@"\G-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")]
    private static partial Regex JsonNumber();

    private sealed class LiteralException(string message) : Exception(message);

    /// <summary>A cursor over the text; each Read method consumes one construct or throws with the reason.</summary>
    private sealed class Reader(string text)
    {
        private int _at;

        public bool AtEnd => _at >= text.Length;

        public LiteralException Fail(string what) => new($"{what} at character {_at + 1}");

        public void SkipSpace()
        {
            while (_at < text.Length && text[_at] is ' ' or '\t' or '\n' or '\r')
            {
                _at++;
            }
        }

        public JsonNode? ReadValue(int depth)
        {
            SkipSpace();
            if (AtEnd)
            {
                throw Fail("the text ends where a value should be");
            }

            var c = text[_at];
            return c switch
            {
                '(' or '[' or '{' when depth >= MaxDepth => throw Fail($"nested deeper than {MaxDepth} levels"),
                '(' => ReadTuple(depth),
                '[' => ReadArray(']', depth),
                '{' => ReadDict(depth),
                '\'' or '"' => JsonValue.Create(ReadString()),
                '-' or (>= '0' and <= '9') => ReadNumber(),
                '.' when text.AsSpan(_at).StartsWith("...") => throw Fail("'...', where Celery's saferepr cut the text"),
                _ when char.IsAsciiLetter(c) || c == '_' => ReadName(),
                _ => throw Fail($"'{c}' is not the start of a literal"),
            };
        }

        // "(" value ")" is the value itself; "()" and anything with a comma is a tuple. The first item is read once
        // (re-reading it as a tuple's would cost twice per level: exponential in the nesting).
        private JsonNode? ReadTuple(int depth)
        {
            _at++;
            SkipSpace();
            if (!AtEnd && text[_at] == ')')
            {
                _at++;
                return new JsonArray();
            }

            var first = ReadValue(depth + 1);
            SkipSpace();
            if (!AtEnd && text[_at] == ')')
            {
                _at++;
                return first;
            }

            var items = new JsonArray(first);
            return SeparatorBefore(')') ? ReadItems(items, ')', depth) : items;
        }

        private JsonArray ReadArray(char close, int depth)
        {
            _at++;
            return ReadItems(new JsonArray(), close, depth);
        }

        private JsonArray ReadItems(JsonArray items, char close, int depth)
        {
            while (true)
            {
                SkipSpace();
                if (!AtEnd && text[_at] == close)
                {
                    _at++;
                    return items;
                }

                items.Add(ReadValue(depth + 1));
                if (!SeparatorBefore(close))
                {
                    return items;
                }
            }
        }

        private JsonObject ReadDict(int depth)
        {
            _at++;
            var entries = new JsonObject();
            while (true)
            {
                SkipSpace();
                if (!AtEnd && text[_at] == '}')
                {
                    _at++;
                    return entries;
                }

                if (AtEnd || text[_at] is not ('\'' or '"'))
                {
                    // JSON keys are strings: an int or tuple key would arrive as something else.
                    throw AtEnd ? Fail("the text ends inside a dict") : text.AsSpan(_at).StartsWith("...")
                        ? Fail("'...', where Celery's saferepr cut the text") : Fail("a dict key that is not a string");
                }

                var key = ReadString();
                SkipSpace();
                if (AtEnd || text[_at] != ':')
                {
                    throw Fail("':' missing after a dict key");
                }

                _at++;
                var item = ReadValue(depth + 1);
                if (!entries.TryAdd(key, item))
                {
                    throw Fail($"the key '{key}' given twice");
                }

                if (!SeparatorBefore('}'))
                {
                    return entries;
                }
            }
        }

        // After an item: "," (more may follow) or the closing bracket (consumed; false).
        private bool SeparatorBefore(char close)
        {
            SkipSpace();
            if (AtEnd)
            {
                throw Fail($"the text ends before '{close}'");
            }

            if (text[_at] == ',')
            {
                _at++;
                return true;
            }

            if (text[_at] == close)
            {
                _at++;
                return false;
            }

            throw Fail($"',' or '{close}' expected");
        }

        private JsonNode ReadNumber()
        {
            var match = JsonNumber().Match(text, _at);
            var end = _at + match.Length;
            if (!match.Success || (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '.' or '_')))
            {
                throw Fail("a number Python's repr would not write (complex, hex, '...' or a truncated one)");
            }

            _at = end;
            return JsonNode.Parse(match.Value)!;
        }

        private JsonNode? ReadName()
        {
            var start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }

            var name = text[start.._at];
            SkipSpace();
            if (!AtEnd && text[_at] is '\'' or '"')
            {
                _at = start;
                throw Fail($"a {name}'...' string (bytes and prefixed strings are not sent)");
            }

            _at = start;
            return name switch
            {
                "True" => Consumed(name, JsonValue.Create(true)),
                "False" => Consumed(name, JsonValue.Create(false)),
                "None" => Consumed(name, null),
                _ => throw Fail($"'{name}', which is not a literal (an object's repr, a call, inf or nan)"),
            };
        }

        private JsonNode? Consumed(string name, JsonNode? value)
        {
            _at += name.Length;
            return value;
        }

        private string ReadString()
        {
            var quote = text[_at];
            var opened = _at;
            _at++;
            var value = new StringBuilder();
            while (true)
            {
                if (AtEnd || text[_at] is '\n' or '\r')
                {
                    _at = opened;
                    throw Fail("a string that does not end");
                }

                var c = text[_at++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c != '\\')
                {
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && _at < text.Length && char.IsLowSurrogate(text[_at])))
                    {
                        throw Fail("half a surrogate pair");
                    }

                    value.Append(c);
                    if (char.IsHighSurrogate(c))
                    {
                        value.Append(text[_at++]);
                    }

                    continue;
                }

                ReadEscape(value);
            }
        }

        private void ReadEscape(StringBuilder value)
        {
            if (AtEnd)
            {
                throw Fail("a string that does not end");
            }

            var e = text[_at++];
            switch (e)
            {
                case '\\' or '\'' or '"': value.Append(e); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case '\n': break; // a backslash at a line's end continues the string
                case 'x': AppendCodePoint(value, ReadHex(2)); break;
                case 'u': AppendCodePoint(value, ReadHex(4)); break;
                case 'U': AppendCodePoint(value, ReadHex(8)); break;
                case >= '0' and <= '7':
                    var code = e - '0';
                    for (var n = 1; n < 3 && _at < text.Length && text[_at] is >= '0' and <= '7'; n++)
                    {
                        code = (code * 8) + (text[_at++] - '0');
                    }

                    AppendCodePoint(value, code);
                    break;
                default:
                    _at--;
                    throw Fail($"the escape '\\{e}', which Python's repr does not write");
            }
        }

        private int ReadHex(int digits)
        {
            if (_at + digits > text.Length
                || !int.TryParse(text.AsSpan(_at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                throw Fail($"an escape that needs {digits} hex digits");
            }

            _at += digits;
            return code;
        }

        // A lone surrogate (Python allows '\ud800') has no UTF-8 form: the send would fail or change it.
        private void AppendCodePoint(StringBuilder value, int code)
        {
            if (code is < 0 or > 0x10FFFF || (code is >= 0xD800 and <= 0xDFFF))
            {
                throw Fail("an escape for a character that JSON text cannot carry (a lone surrogate or past U+10FFFF)");
            }

            value.Append(char.ConvertFromUtf32(code));
        }
    }
}
