namespace Ingest.Storage.Rollups;

/// <summary>One task's figures for one queue, worker group and hour, with its wait histograms (the facet rollup).</summary>
public sealed record GroupHourRow(
    string Queue, string WorkerGroup, TaskHourRow Counts,
    long QueueWaitCount, double QueueWaitSum, byte[]? QueueWaits, long PickupCount, double PickupSum, byte[]? Pickups);
