namespace Ingest.Storage.Retention;

/// <summary>Why a partition was dropped.</summary>
public enum DropCause
{
    /// <summary>Older than the retention.</summary>
    Retention,

    /// <summary>The database was over its size cap, or the volume under its free-space floor.</summary>
    DiskPressure,
}
