using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Details;

/// <summary>
/// A day's dictionary table, <c>detail_dicts_YYYYMMDD</c>: created with the day's tables by this version (a day made
/// earlier has none and is never compressed), dropped with the day or with its details, never a row DELETE.
/// </summary>
internal static class DictionaryTable
{
    /// <summary>The dictionaries a writer loads for a day (the newest; a day has one unless restarts or retrains made more).</summary>
    public const int LoadedPerDay = 4;

    /// <summary>The table's DDL.</summary>
    public static string CreateSql(DayPartition p) => $"""

        CREATE TABLE IF NOT EXISTS {p.DictionariesSql} (
            id INTEGER PRIMARY KEY,
            dict BLOB NOT NULL
        );
        """;

    /// <summary>Drops the table whole.</summary>
    public static string DropSql(DayPartition p) => $"DROP TABLE IF EXISTS {p.DictionariesSql};";

    /// <summary>Stores a dictionary in the transaction of the first row compressed with it (kept if already there).</summary>
    public static void Insert(SqliteConnection connection, DictionaryOfDay dictionary, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction ??= transaction;
        command.CommandText = $"INSERT OR IGNORE INTO {new DayPartition(dictionary.Day).DictionariesSql} (id, dict) VALUES ($id, $dict)";
        command.Parameters.AddWithValue("$id", dictionary.Id);
        command.Parameters.AddWithValue("$dict", dictionary.Bytes);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// One bounded read of a day's newest <see cref="LoadedPerDay"/> dictionaries and the largest id in use; null
    /// when the day has no dictionary table (made by an earlier version: it stays raw).
    /// </summary>
    public static (IReadOnlyList<DictionaryOfDay> Newest, int MaxId)? Load(SqliteConnection connection, DayPartition day, SqliteTransaction? transaction)
    {
        if (!PartitionCatalog.TableExists(connection, day.DictionariesTable))
        {
            return null;
        }

        using var command = connection.CreateCommand();
        command.Transaction ??= transaction;
        command.CommandText = $"SELECT id, dict FROM {day.DictionariesSql} ORDER BY id DESC LIMIT {LoadedPerDay}";
        var newest = new List<DictionaryOfDay>(LoadedPerDay);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var stored = new DictionaryOfDay(day.Day, reader.GetInt32(0), (byte[])reader.GetValue(1));
            stored.MarkStored();
            newest.Add(stored);
        }

        return (newest, newest.Count == 0 ? 0 : newest[0].Id);
    }

    /// <summary>One dictionary by id, or null if the day has no such (or no table).</summary>
    public static DictionaryOfDay? Find(SqliteConnection connection, DateOnly day, int id, SqliteTransaction? transaction = null)
    {
        var partition = new DayPartition(day);
        if (!PartitionCatalog.TableExists(connection, partition.DictionariesTable))
        {
            return null;
        }

        using var command = connection.CreateCommand();
        command.Transaction ??= transaction;
        command.CommandText = $"SELECT dict FROM {partition.DictionariesSql} WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is byte[] bytes ? new DictionaryOfDay(day, id, bytes) : null;
    }
}
