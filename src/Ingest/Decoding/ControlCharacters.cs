using Ingest.Accounting;
using System.Buffers;

namespace Ingest.Decoding;

/// <summary>
/// Removes control characters from identifiers (task ids, names, hostnames, queues): NUL and the rest of C0, DEL,
/// C1, and the line and paragraph separators U+2028/U+2029. Celery never sends them; a NUL in a task id would be
/// stored verbatim, make two ids look alike in the UI and reach <c>/metrics</c> label values raw, where a scraper
/// may cut or reject the whole exposition. Free text (args, results, tracebacks) keeps its newlines and is not
/// touched here.
/// </summary>
internal static class ControlCharacters
{
    /// <summary>Every <see cref="char.IsControl(char)"/> character (C0, DEL, C1), and U+2028/U+2029.</summary>
    private static readonly SearchValues<char> s_removed = SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => char.IsControl(c) || c is '\u2028' or '\u2029')]);

    /// <summary>The text without control characters (the same instance when it has none); a change is counted as <see cref="Repair.ControlCharacters"/>.</summary>
    public static string? Remove(string? text, DecodedBody result)
    {
        var first = text is null ? -1 : text.AsSpan().IndexOfAny(s_removed);
        if (first < 0)
        {
            return text;
        }

        result.Note(Repair.ControlCharacters);
        var kept = new char[text!.Length];
        text.AsSpan(0, first).CopyTo(kept);
        var length = first;
        foreach (var c in text.AsSpan(first + 1))
        {
            if (!s_removed.Contains(c))
            {
                kept[length++] = c;
            }
        }

        return new string(kept, 0, length);
    }
}
