namespace Ingest.Storage.Rollups;

/// <summary>
/// What one stored invocation row counts for in the hourly rollups: its task, final state, runtime and hour, and
/// for the facet rollup its queue, worker group and the two waits (in the broker's queue, and on the worker
/// before a slot ran it).
/// </summary>
internal readonly record struct RollupContribution(
    string Name, string State, double? RuntimeSeconds, double Time, string? ExceptionType, string TaskId,
    string Queue = "", string WorkerGroup = "", double? QueueWait = null, double? Pickup = null)
{
    public long Hour => HourOf(Time);

    public static long HourOf(double unixSeconds) => (long)Math.Floor(unixSeconds / 3600) * 3600;

    /// <summary>The start of the minute (Unix seconds) the minute rollup counts this in.</summary>
    public long Minute => MinuteOf(Time);

    public static long MinuteOf(double unixSeconds) => (long)Math.Floor(unixSeconds / 60) * 60;

    public static RollupContribution Of(InvocationRecord r, WorkerGroups groups) =>
        new(r.Name ?? "", r.State, r.RuntimeSeconds, r.PartitionTime, r.ExceptionType, r.TaskId,
            r.Queue ?? "", groups.Of(r.Worker), Wait(r.SentAt, r.ReceivedAt), Wait(r.ReceivedAt, r.StartedAt));

    /// <summary>Seconds between two events, or null; clock skew between hosts can make it negative: zero then.</summary>
    public static double? Wait(double? from, double? to) =>
        from is { } a && to is { } b && double.IsFinite(a) && double.IsFinite(b) ? Math.Max(0, b - a) : null;
}
