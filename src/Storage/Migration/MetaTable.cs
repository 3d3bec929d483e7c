using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Migration;

/// <summary>A small key/value table of Ingest's own facts about the file (<c>ingest_meta</c>).</summary>
internal static class MetaTable
{
    public const string LegacyMigratedAt = "legacy_migrated_at";

    /// <summary>The legacy rowid up to which the legacy search index is filled.</summary>
    public const string LegacySearchIndexed = "legacy_search_indexed_rowid";

    /// <summary>Set once every legacy row is in the legacy search index.</summary>
    public const string LegacySearchDone = "legacy_search_done_at";

    /// <summary>The newest day (yyyy-MM-dd) whose details were dropped by detail retention; every older day's were too.</summary>
    public const string DetailsDroppedThrough = "details_dropped_through";

    /// <summary>Records the last shutdown drain could not write, counted as dropped (shutdown); read and reported at the next start.</summary>
    public const string ShutdownDropped = "shutdown_dropped";

    public static void Ensure(SqliteConnection connection, SqliteTransaction? transaction = null) =>
        SqliteConnections.Execute(connection, "CREATE TABLE IF NOT EXISTS ingest_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", transaction);

    public static void Set(SqliteConnection connection, string key, string value, SqliteTransaction? transaction = null)
    {
        Ensure(connection, transaction);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO ingest_meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    public static string? Get(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM ingest_meta WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        try
        {
            return command.ExecuteScalar() as string;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1)
        {
            return null; // no such table: nothing recorded yet
        }
    }
}
