using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Migration;

/// <summary>
/// Renames a pre-partition database's <c>invocations</c> and <c>invocation_details</c> to <c>*_legacy</c>, in one
/// transaction. <c>ALTER TABLE ... RENAME</c> rewrites schema text only: instant on a file of any size (an
/// index built at startup once took 20-30 minutes and failed the startup probe; nothing here reads a row).
/// </summary>
public static class LegacyMigration
{
    public const string OldInvocations = "invocations";
    public const string OldDetails = "invocation_details";

    public static LegacyMigrationOutcome Run(SqliteConnection connection, TimeProvider time)
    {
        if (!PartitionCatalog.TableExists(connection, OldInvocations))
        {
            return LegacyMigrationOutcome.None;
        }

        if (PartitionCatalog.TableExists(connection, PartitionCatalog.LegacyInvocations))
        {
            return LegacyMigrationOutcome.Conflict;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        SqliteConnections.Execute(connection, $"ALTER TABLE \"{OldInvocations}\" RENAME TO \"{PartitionCatalog.LegacyInvocations}\"", transaction);
        if (PartitionCatalog.TableExists(connection, OldDetails))
        {
            SqliteConnections.Execute(connection, $"ALTER TABLE \"{OldDetails}\" RENAME TO \"{PartitionCatalog.LegacyDetails}\"", transaction);
        }

        MetaTable.Set(connection, MetaTable.LegacyMigratedAt, time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), transaction);
        transaction.Commit();
        return LegacyMigrationOutcome.Renamed;
    }
}
