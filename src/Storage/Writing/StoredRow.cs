using Ingest.Storage.Rollups;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// How an invocation row is stored where it differs from the record, and what a stored row counts for in the
/// rollups when it is read back (to be taken back before a newer version of it is counted).
/// </summary>
internal static class StoredRow
{
    /// <summary>What a stored row counts for in the rollups, in <see cref="ReadContribution"/>'s order.</summary>
    internal const string Columns = "name, state, runtime_s, COALESCE(finished_at, state_at), exception_type, task_id, queue, worker, sent_at, received_at, started_at";

    /// <summary>Reads <see cref="Columns"/> from position <paramref name="at"/> of a row.</summary>
    internal static RollupContribution ReadContribution(SqliteDataReader reader, int at, WorkerGroups groups) => new(
        reader.IsDBNull(at) ? "" : reader.GetString(at),
        reader.GetString(at + 1),
        reader.IsDBNull(at + 2) ? null : reader.GetDouble(at + 2),
        reader.GetDouble(at + 3),
        reader.IsDBNull(at + 4) ? null : reader.GetString(at + 4),
        reader.GetString(at + 5),
        reader.IsDBNull(at + 6) ? "" : reader.GetString(at + 6),
        groups.Of(reader.IsDBNull(at + 7) ? null : reader.GetString(at + 7)),
        RollupContribution.Wait(Nullable(reader, at + 8), Nullable(reader, at + 9)),
        RollupContribution.Wait(Nullable(reader, at + 9), Nullable(reader, at + 10)));

    /// <summary>
    /// A task that is its own root (every task not started by another: Celery sets root_id to the task's id) is
    /// stored with an empty root_id, which <see cref="Reading.InvocationRowReader"/> reads back as the task id:
    /// about 40 of the 868 bytes each invocation took on disk (disk-per-invocation.md). An empty root_id from the wire carries nothing: NULL.
    /// </summary>
    internal static object RootId(InvocationRecord r) =>
        string.IsNullOrEmpty(r.RootId) ? DBNull.Value
        : string.Equals(r.RootId, r.TaskId, StringComparison.Ordinal) ? SelfRoot
        : r.RootId;

    /// <summary>What root_id holds for a task that is its own root.</summary>
    internal const string SelfRoot = "";

    private static double? Nullable(SqliteDataReader reader, int at) => reader.IsDBNull(at) ? null : reader.GetDouble(at);
}
