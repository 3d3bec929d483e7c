namespace Ingest.Storage.ClickHouse;

/// <summary>
/// How far along its life a state is, for the merge at read. Rows of one task id are ordered by
/// <c>(state_at, state_rank)</c>: the time decides as in the SQLite writer's upsert (the newer record's state wins);
/// the rank breaks a tie of times, which on one instance the order of writes broke but across instances nothing
/// does (a task that succeeded in the same second it started must read SUCCESS whichever instance wrote last).
/// </summary>
public static class ClickHouseLifecycle
{
    /// <summary>PENDING 0, RECEIVED 1, STARTED 2, RETRY 3, the ready states 4; an unknown state 0.</summary>
    public static byte Rank(string state) => state switch
    {
        TaskStates.Received => 1,
        TaskStates.Started => 2,
        TaskStates.Retry => 3,
        _ when TaskStates.IsReady(state) => 4,
        _ => 0,
    };
}
