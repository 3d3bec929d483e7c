namespace Ingest.Storage.Partitions;

/// <summary>Where a record of a given day is written (see <see cref="PartitionWindow.Place"/>).</summary>
public enum DayPlacement
{
    /// <summary>The day's partition exists: no DDL.</summary>
    Existing,

    /// <summary>The day has no partition yet and lies inside the window: its tables are created with the batch.</summary>
    New,

    /// <summary>The day has no partition and lies outside the window: it gets none.</summary>
    OutsideWindow,
}
