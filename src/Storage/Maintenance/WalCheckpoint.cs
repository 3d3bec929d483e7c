using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// A passive checkpoint on the writer's connection, for what it tells: how many frames the WAL holds since its last
/// reset and how many of them could be copied into the file. Fewer copied than held means a read holds a snapshot
/// older than the rest (checkpoint starvation: issue 24 grew a WAL from 4 to 280 MiB in 60 s behind one open read).
/// Passive: it never waits for a reader or the busy handler, and it copies only what auto-checkpointing would.
/// </summary>
internal static class WalCheckpoint
{
    /// <summary>Frames held and frames checkpointed, or null when the file is not in WAL mode or the checkpoint could not run.</summary>
    public static (long Frames, long Checkpointed)? Passive(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        try
        {
            using var reader = command.ExecuteReader();
            if (!reader.Read() || reader.GetInt64(1) < 0)
            {
                return null;
            }

            return (reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (SqliteException e) when (Writing.StorageFaultClassifier.IsStorageFault(e))
        {
            return null; // another checkpoint runs (an operator's tool), or the disk refuses: the file size still tells
        }
    }
}
