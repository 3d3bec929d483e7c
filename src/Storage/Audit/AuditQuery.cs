namespace Ingest.Storage.Audit;

/// <summary>Which audit entries to list: a time range, optional user and action, a page size and where the last page ended.</summary>
/// <param name="Since">Entries at or after this, Unix seconds.</param>
/// <param name="Until">Entries before this, Unix seconds.</param>
/// <param name="User">Only this user's entries (exact).</param>
/// <param name="Action">Only this action (exact, e.g. <c>task.revoke</c>).</param>
/// <param name="Limit">Entries on the page, 1 to <see cref="MaxLimit"/>.</param>
/// <param name="Before">The page continues after this entry (newest first); null: from the newest.</param>
public sealed record AuditQuery(double Since, double Until, string? User, string? Action, int Limit, AuditCursor? Before = null)
{
    /// <summary>Most entries on one page.</summary>
    public const int MaxLimit = 500;
}
