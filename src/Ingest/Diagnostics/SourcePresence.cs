namespace Ingest.Diagnostics;

/// <summary>
/// Whether anything can ever deliver events to this instance: a broker URL or HTTP ingest. Fixed at start, since
/// neither can be turned on later.
/// </summary>
/// <param name="any">True when at least one source is configured.</param>
public sealed class SourcePresence(bool any)
{
    /// <summary>True when a broker or HTTP ingest is configured.</summary>
    public bool Any { get; } = any;
}
