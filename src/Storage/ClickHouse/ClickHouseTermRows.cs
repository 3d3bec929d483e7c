using System.Buffers;
using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Ingest.Storage.Writing;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// The rows of the inverted <c>terms</c> table for one batch (issue 26): one (day, term, task id) per distinct token
/// of a record's args, kwargs and searchable result, split by the very tokenizer the SQLite search index's text is
/// matched with (<see cref="SearchText"/>), so a value search asks both stores the same question.
/// </summary>
/// <remarks>
/// The searchable result is what SQLite's index takes in the result's place (the result, or a failure's exception
/// and last frame), so an exception text is found on both stores. A token is kept to its first
/// <see cref="MaxTermChars"/> characters: a 30 KiB base64 argument is one token, and storing it whole would make the
/// table as large as the details. The reader truncates the query's tokens the same way and then checks every
/// candidate against its stored text, so a truncated term only widens the candidates, never the answer.
/// </remarks>
internal static class ClickHouseTermRows
{
    /// <summary>The most characters of a token the table stores.</summary>
    public const int MaxTermChars = 64;

    /// <summary>The JSONEachRow body of the batch's terms, or null when no record has text to search.</summary>
    public static byte[]? Of(IReadOnlyList<InvocationRecord> batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in batch)
        {
            terms.Clear();
            Add(terms, r.Args);
            Add(terms, r.Kwargs);
            Add(terms, r.Result ?? PartitionStatements.SearchableFailure(r));
            if (terms.Count == 0)
            {
                continue;
            }

            var day = ClickHouseRows.Day(DayPartition.DayOf(r.PartitionTime));
            var taskId = ClickHouseRows.Text(r.TaskId);
            foreach (var term in terms)
            {
                ClickHouseRows.Line(buffer, w =>
                {
                    w.WriteString("day", day);
                    w.WriteString("term", term);
                    w.WriteString("task_id", taskId);
                });
            }
        }

        return buffer.WrittenCount == 0 ? null : buffer.WrittenSpan.ToArray();
    }

    /// <summary>A token as the table stores it: at most <see cref="MaxTermChars"/> characters, never half a surrogate pair.</summary>
    public static string Term(string token)
    {
        if (token.Length <= MaxTermChars)
        {
            return token;
        }

        var end = char.IsHighSurrogate(token[MaxTermChars - 1]) ? MaxTermChars - 1 : MaxTermChars;
        return token[..end];
    }

    private static void Add(HashSet<string> terms, string? text)
    {
        if (text is not null)
        {
            foreach (var token in SearchText.Tokens(text))
            {
                terms.Add(Term(token));
            }
        }
    }
}
