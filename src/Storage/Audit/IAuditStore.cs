namespace Ingest.Storage.Audit;

/// <summary>
/// Where <c>/api/audit</c> reads the control audit from: the SQLite file's day tables, or the ClickHouse store that
/// several instances share (issue 26), where every instance's entries are listed together.
/// </summary>
public interface IAuditStore
{
    /// <summary>A page of entries, newest first; the cursor of the last one when there may be more.</summary>
    (IReadOnlyList<AuditRow> Rows, AuditCursor? Next) List(AuditQuery query);
}
