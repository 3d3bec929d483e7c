namespace Ingest.Accounting;

public static class DiagnosticNames
{
    public const int DropReasonCount = (int)DropReason.OutsideWindow + 1;
    public const int EarlyWriteReasonCount = (int)EarlyWriteReason.Memory + 1;

    private static readonly string[] s_drop = ["queue_full", "write_failed", "shutdown", "memory_budget", "outside_window"];
    private static readonly string[] s_early = ["capacity", "idle", "shutdown", "memory"];

    public static string Name(this DropReason reason) => s_drop[(int)reason];

    public static string Name(this EarlyWriteReason reason) => s_early[(int)reason];
}
