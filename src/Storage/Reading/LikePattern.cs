using System.Text;

namespace Ingest.Storage.Reading;

/// <summary>
/// SQLite <c>LIKE</c> patterns built from what a user typed (issue 25: <c>name:import</c> finds
/// <c>shop.tasks.import_orders</c>). SQLite's LIKE has no parameterised "contains": the value is bound as a
/// parameter, but its <c>%</c> and <c>_</c> would still be wildcards, so a name typed with an underscore
/// (<c>import_orders</c>) would match <c>importXorders</c> too. Every such character is escaped here, with
/// <see cref="EscapeChar"/>, which the SQL names in its <c>ESCAPE</c> clause. The one place this escaping is done.
/// </summary>
public static class LikePattern
{
    /// <summary>The escape character the pattern uses; the SQL must say <c>LIKE $p ESCAPE '\'</c>.</summary>
    public const char EscapeChar = '\\';

    /// <summary>The clause to append after the bound pattern, as SQL text.</summary>
    public const string EscapeClause = " ESCAPE '\\'";

    /// <summary><paramref name="text"/> with <c>%</c>, <c>_</c> and the escape character itself taken literally.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '%' or '_' or EscapeChar)
            {
                sb.Append(EscapeChar);
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>A pattern matching any text that contains <paramref name="text"/> literally (ASCII case-insensitive, as SQLite's LIKE is).</summary>
    public static string Contains(string text) => "%" + Escape(text) + "%";
}
