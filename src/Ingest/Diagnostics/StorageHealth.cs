using Ingest.Storage.Maintenance;

namespace Ingest.Diagnostics;

/// <summary>
/// What the storage's cached facts and this process's open reads say is wrong, as <c>/healthz</c> reasons with their
/// numbers. Pure: cached values in, words out; never a stat or a query on the probe's path (the maintenance step
/// refreshes the facts between batches, and the open reads are a scan of a few slots).
/// </summary>
public static class StorageHealth
{
    /// <param name="facts">The maintenance step's last facts.</param>
    /// <param name="oldestRead">How long this process's oldest open read has been open; null if none is.</param>
    /// <param name="openReads">Reads of this process open now.</param>
    /// <param name="options">The limits.</param>
    public static IEnumerable<string> Reasons(StorageFacts facts, TimeSpan? oldestRead, int openReads, HealthOptions options)
    {
        if (facts.PressureUnrelieved)
        {
            yield return "over the database size cap or free-disk floor with only today's and tomorrow's partitions left";
        }

        if (WalReason(facts, options.MaxWalBytes) is { } wal)
        {
            yield return wal;
        }

        if (oldestRead is { } age && age > options.MaxReadAge)
        {
            yield return $"a read has held the WAL for {age.TotalSeconds:F0} s (limit {options.MaxReadAge.TotalSeconds:F0} s; reads open now: {openReads}): "
                + "no checkpoint can pass its snapshot, so the WAL grows until it ends";
        }
    }

    private static string? WalReason(StorageFacts facts, long limit)
    {
        // What the WAL holds since its last reset decides when it is known: SQLite truncates the file only to 64 MiB at
        // a reset, so a file over a lower limit may hold next to nothing.
        if (facts.WalBytes <= limit || (facts.WalFrameBytes is { } held && held <= limit))
        {
            return null;
        }

        var reason = $"the WAL is {MiB(facts.WalBytes)} MiB, over the {MiB(limit)} MiB limit (--max-wal-mb): checkpoints are not keeping up";
        if (facts.WalFrames is { } frames && facts.WalFramesCheckpointed is { } copied && copied < frames)
        {
            reason += $"; a checkpoint could copy {copied} of its {frames} frames, so a read holds an older snapshot";
        }

        return reason;
    }

    private static string MiB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
