namespace Ingest.Storage.Rollups;

/// <summary>What one stored invocation row counts for in the hourly rollups: its task, final state, runtime and hour.</summary>
internal readonly record struct RollupContribution(
    string Name, string State, double? RuntimeSeconds, double Time, string? ExceptionType, string TaskId)
{
    public long Hour => HourOf(Time);

    public static long HourOf(double unixSeconds) => (long)Math.Floor(unixSeconds / 3600) * 3600;

    public static RollupContribution Of(InvocationRecord r) =>
        new(r.Name ?? "", r.State, r.RuntimeSeconds, r.PartitionTime, r.ExceptionType, r.TaskId);
}
