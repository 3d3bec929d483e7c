namespace Ingest.Storage.Maintenance;

/// <summary>What a <see cref="MaintenanceStep"/> did.</summary>
public enum MaintenanceKind
{
    /// <summary>Nothing was due.</summary>
    None,

    /// <summary>Created an upcoming day's tables.</summary>
    CreatePartition,

    /// <summary>Dropped a day partition or the legacy tables whole.</summary>
    Drop,

    /// <summary>Dropped a day's details and search index, keeping its rows and rollups.</summary>
    DropDetails,

    /// <summary>Dropped a day's minute rollup, older than the 48 hours it is kept for.</summary>
    DropMinutes,

    /// <summary>Ran one incremental vacuum step, returning free pages to the file system.</summary>
    Vacuum,

    /// <summary>Added a chunk of legacy rows to the legacy search index.</summary>
    IndexLegacy,
}
