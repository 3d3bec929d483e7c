using Ingest.Storage.Partitions;

namespace Ingest.Storage.Retention;

/// <summary>One drop to make: a day partition, or the legacy tables (Day is null).</summary>
public sealed record DropPlan(DayPartition? Day, DropCause Cause)
{
    public bool IsLegacy => Day is null;

    public string Describe() => $"{(IsLegacy ? "legacy tables" : $"partition {Day}")} ({(Cause == DropCause.Retention ? "retention" : "disk pressure")})";
}
