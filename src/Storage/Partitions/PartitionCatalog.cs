using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Partitions;

/// <summary>Reads which day partitions and legacy tables exist. Reads only <c>sqlite_master</c>: cost independent of row counts.</summary>
public static class PartitionCatalog
{
    public const string LegacyInvocations = "invocations_legacy";
    public const string LegacyDetails = "invocation_details_legacy";

    /// <summary>Ingest's full-text index over the legacy details, filled in bounded steps by maintenance.</summary>
    public const string LegacySearch = "invocation_search_legacy";

    /// <summary>The day partitions present, oldest first.</summary>
    public static IReadOnlyList<DayPartition> ListDays(SqliteConnection connection)
    {
        var days = new List<DayPartition>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'invocations\\_%' ESCAPE '\\'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (DayPartition.TryParseInvocationsTable(reader.GetString(0), out var day))
            {
                days.Add(day);
            }
        }

        days.Sort();
        return days;
    }

    /// <summary>The days that have a minute rollup table (<c>task_minutes_YYYYMMDD</c>), oldest first; other names are ignored.</summary>
    public static IReadOnlyList<DateOnly> ListMinuteDays(SqliteConnection connection)
    {
        var days = new List<DateOnly>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'task\\_minutes\\_%' ESCAPE '\\'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // The same check as a day's invocations table: eight digits of a day a partition may have.
            if (DayPartition.TryParseInvocationsTable(DayPartition.InvocationsPrefix + reader.GetString(0)[DayPartition.TaskMinutesPrefix.Length..], out var day))
            {
                days.Add(day.Day);
            }
        }

        days.Sort();
        return days;
    }

    /// <summary>Names of the full-text index tables present (one sqlite_master read).</summary>
    public static HashSet<string> SearchTables(SqliteConnection connection)
    {
        return TableNames(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND name LIKE 'invocation\\_search\\_%' ESCAPE '\\'");
    }

    /// <summary>
    /// Names of the full-text index tables that keep no token positions (one sqlite_master read): a day's kind is
    /// the one its CREATE text says, so days made before issue 29 keep their positional index and are read as such.
    /// </summary>
    public static HashSet<string> PositionlessSearchTables(SqliteConnection connection)
    {
        return TableNames(connection, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'invocation\\_search\\_%' ESCAPE '\\' AND sql LIKE '%{PartitionSchema.PositionlessDetail}%'");
    }

    /// <summary>
    /// Names of the day invocations tables that have the detail sample's flag column (one sqlite_master read):
    /// a day made by an earlier version has not, until a writer opens the file and adds it.
    /// </summary>
    public static HashSet<string> SampledColumnTables(SqliteConnection connection)
    {
        return TableNames(connection, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'invocations\\_%' ESCAPE '\\' AND sql LIKE '%{PartitionSchema.SampledColumn}%'");
    }

    /// <summary>The names a sqlite_master query returns (fixed text: no value is spliced in).</summary>
    private static HashSet<string> TableNames(SqliteConnection connection, string sql)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public static bool TableExists(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return command.ExecuteScalar() is not null;
    }

    public static bool HasLegacy(SqliteConnection connection) => TableExists(connection, LegacyInvocations);
}
