namespace Ingest.Endpoints;

/// <summary>A page of audit entries, newest first, and the cursor of the next page (null: none).</summary>
public sealed record AuditListView(IReadOnlyList<AuditEntryView> Items, string? NextCursor);
