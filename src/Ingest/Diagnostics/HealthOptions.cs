using System.ComponentModel.DataAnnotations;

namespace Ingest.Diagnostics;

/// <summary>Where <c>/healthz</c> draws the line on what the storage shows (issue 24: a growing WAL went unreported).</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// The WAL file over this many MiB is a degraded reason, with its size and the frames a checkpoint could not copy.
    /// SQLite resets the WAL after each checkpoint and keeps at most 64 MiB of it, so past that only a checkpoint held
    /// back (a read left open) or one huge transaction grows it. Default 256, range 1 to 1048576.
    /// </summary>
    [Range(1, 1_048_576)]
    public int MaxWalMb { get; set; } = 256;

    /// <summary>
    /// A read of this process open longer than this is a degraded reason, with its age: no checkpoint can pass its
    /// snapshot, so the WAL grows for as long as it stays. Default 60 s, range 1 s to 1 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxReadAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><see cref="MaxWalMb"/> in bytes.</summary>
    public long MaxWalBytes => MaxWalMb * 1024L * 1024L;
}
