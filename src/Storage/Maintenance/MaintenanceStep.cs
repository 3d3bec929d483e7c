namespace Ingest.Storage.Maintenance;

/// <summary>What one maintenance step did, how long it took, and whether more work is waiting.</summary>
public sealed record MaintenanceStep(MaintenanceKind Kind, string? Description, TimeSpan Duration, bool MorePending)
{
    public static MaintenanceStep Nothing { get; } = new(MaintenanceKind.None, null, TimeSpan.Zero, false);
}
