using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Reading;

/// <summary>Turns a row in <see cref="ReadSource.ProjectionDoc"/> order into an <see cref="InvocationRecord"/>.</summary>
internal static class InvocationRowReader
{
    public static InvocationRecord Read(SqliteDataReader r)
    {
        var taskId = r.GetString(0);
        return new()
        {
            TaskId = taskId,
            Name = Str(r, 1),
            State = Str(r, 2) ?? TaskStates.Pending,
            Worker = Str(r, 3),
            Queue = Str(r, 4),
            SentAt = Real(r, 5),
            ReceivedAt = Real(r, 6),
            StartedAt = Real(r, 7),
            FinishedAt = Real(r, 8),
            StateAt = Real(r, 9) ?? 0,
            RuntimeSeconds = Real(r, 10),
            Retries = r.IsDBNull(11) ? 0 : r.GetInt32(11),
            Exception = Str(r, 12),
            ParentId = Str(r, 13),
            // Stored empty when the task is its own root (Writing.StoredRow.RootId).
            RootId = Str(r, 14) is { } root ? (root == Writing.StoredRow.SelfRoot ? taskId : root) : null,
            Eta = Str(r, 15),
            Expires = Str(r, 16),
            Terminated = r.IsDBNull(17) ? null : r.GetInt64(17) != 0,
            Expired = r.IsDBNull(18) ? null : r.GetInt64(18) != 0,
            Signum = r.IsDBNull(19) ? null : r.GetInt32(19),
            Args = Str(r, 20),
            Kwargs = Str(r, 21),
            Result = Str(r, 22),
            Traceback = Str(r, 23),
            DetailsSampled = !r.IsDBNull(24) && r.GetInt64(24) != 0,
        };
    }

    private static string? Str(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? Real(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
