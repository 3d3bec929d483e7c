using Ingest.Storage.Retention;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// The maintenance step's published state: the latest <see cref="StorageFacts"/> and running totals. Written by
/// the flush loop's thread, read lock-free by anyone.
/// </summary>
public sealed class StorageStatus
{
    private StorageFacts _facts = StorageFacts.Unknown;
    private long _droppedForRetention;
    private long _droppedForPressure;
    private long _vacuumSteps;
    private long _vacuumPagesFreed;
    private long _lastDropTicks;
    private string? _lastDrop;
    private long _lastVacuumTicks;
    private int _lastVacuumPages;
    private int _nextVacuumPages;
    private long _detailDrops;
    private string? _lastDetailDrop;
    private long _lastDetailDropTicks;
    private int _detailsDroppedThrough = -1;

    public StorageFacts Facts => Volatile.Read(ref _facts);

    public long PartitionsDroppedForRetention => Interlocked.Read(ref _droppedForRetention);
    public long PartitionsDroppedForPressure => Interlocked.Read(ref _droppedForPressure);
    public long VacuumSteps => Interlocked.Read(ref _vacuumSteps);
    public long VacuumPagesFreed => Interlocked.Read(ref _vacuumPagesFreed);

    /// <summary>The last drop: what and how long the DROP TABLE took.</summary>
    public string? LastDrop => Volatile.Read(ref _lastDrop);
    public TimeSpan LastDropDuration => TimeSpan.FromTicks(Interlocked.Read(ref _lastDropTicks));
    /// <summary>Days whose details detail retention dropped since start; the last one and how long it took.</summary>
    public long DetailDrops => Interlocked.Read(ref _detailDrops);
    public string? LastDetailDrop => Volatile.Read(ref _lastDetailDrop);
    public TimeSpan LastDetailDropDuration => TimeSpan.FromTicks(Interlocked.Read(ref _lastDetailDropTicks));

    /// <summary>The newest day whose details detail retention dropped (that day and older ones keep rows only); null if none.</summary>
    public DateOnly? DetailsDroppedThrough => Volatile.Read(ref _detailsDroppedThrough) is var n and >= 0 ? DateOnly.FromDayNumber(n) : null;

    internal void PublishDetailsDroppedThrough(DateOnly? day) => Volatile.Write(ref _detailsDroppedThrough, day?.DayNumber ?? -1);

    public TimeSpan LastVacuumDuration => TimeSpan.FromTicks(Interlocked.Read(ref _lastVacuumTicks));
    public int LastVacuumPages => Volatile.Read(ref _lastVacuumPages);
    public int NextVacuumPages => Volatile.Read(ref _nextVacuumPages);

    internal void Publish(StorageFacts facts) => Volatile.Write(ref _facts, facts);

    internal void Dropped(DropPlan plan, TimeSpan duration)
    {
        Interlocked.Increment(ref plan.Cause == DropCause.Retention ? ref _droppedForRetention : ref _droppedForPressure);
        Interlocked.Exchange(ref _lastDropTicks, duration.Ticks);
        Volatile.Write(ref _lastDrop, plan.Describe());
    }

    internal void DetailsDropped(Partitions.DayPartition day, TimeSpan duration)
    {
        Interlocked.Increment(ref _detailDrops);
        Interlocked.Exchange(ref _lastDetailDropTicks, duration.Ticks);
        Volatile.Write(ref _lastDetailDrop, $"details of partition {day}");
    }

    internal void Vacuumed(int pagesFreed, TimeSpan duration, int nextPages)
    {
        Interlocked.Increment(ref _vacuumSteps);
        Interlocked.Add(ref _vacuumPagesFreed, pagesFreed);
        Interlocked.Exchange(ref _lastVacuumTicks, duration.Ticks);
        Volatile.Write(ref _lastVacuumPages, pagesFreed);
        Volatile.Write(ref _nextVacuumPages, nextPages);
    }
}
