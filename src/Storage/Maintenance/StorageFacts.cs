using Ingest.Storage.Partitions;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// What the maintenance step last learned about the file, cheaply (header pragmas and file sizes, never a row
/// count). Published for <c>/healthz</c> and metrics, which read it without touching SQLite.
/// </summary>
public sealed record StorageFacts
{
    public static StorageFacts Unknown { get; } = new();

    public DateTimeOffset? RefreshedAt { get; init; }
    public IReadOnlyList<DayPartition> Partitions { get; init; } = [];
    public long FileBytes { get; init; }
    public long WalBytes { get; init; }

    /// <summary>
    /// Frames the WAL holds since its last reset, and how many a checkpoint could copy into the file: learned by a
    /// passive checkpoint, run only when the WAL file is over its limit; null otherwise. Fewer copied than held:
    /// a read holds an older snapshot, and the WAL cannot be reset until it ends.
    /// </summary>
    public long? WalFrames { get; init; }

    public long? WalFramesCheckpointed { get; init; }

    /// <summary>What the WAL's frames hold in bytes (a frame is a page and its 24-byte header), when they are known.</summary>
    public long? WalFrameBytes => WalFrames * (PageSize + 24);
    public long PageSize { get; init; }
    public long PageCount { get; init; }
    public long FreelistPages { get; init; }

    /// <summary>none, full or incremental. With none the file cannot shrink until an offline <c>db compact</c>.</summary>
    public string AutoVacuum { get; init; } = "unknown";

    public bool LegacyPresent { get; init; }
    public double? LegacyNewest { get; init; }

    /// <summary>Rollup rows counted under "(other)" since start because their day had its maximum of task names.</summary>
    public long RollupNamesOverflowed { get; init; }

    /// <summary>True while legacy rows are still being added to the legacy search index.</summary>
    public bool LegacySearchPending { get; init; }
    public long? FreeDiskBytes { get; init; }
    public bool OverSizeCap { get; init; }
    public bool UnderFreeDiskFloor { get; init; }

    /// <summary>Under pressure, but nothing is left that may be dropped (only today's and tomorrow's remain).</summary>
    public bool PressureUnrelieved { get; init; }

    public long UsedBytes => (PageCount - FreelistPages) * PageSize;
    public long FreelistBytes => FreelistPages * PageSize;
}
