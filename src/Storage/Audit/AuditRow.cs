namespace Ingest.Storage.Audit;

/// <summary>One stored audit entry with its row id (for the page cursor).</summary>
public sealed record AuditRow(long Id, AuditEntry Entry);
