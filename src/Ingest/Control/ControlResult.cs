namespace Ingest.Control;

/// <summary>What came back from one command: every reply in arrival order, and the workers that should have answered and did not.</summary>
/// <param name="Replies">One entry per worker that answered before the deadline.</param>
/// <param name="Missing">
/// Workers expected to answer that did not: the named destinations, or for a broadcast the workers Ingest knows to
/// be online.
/// </param>
public sealed record ControlResult(IReadOnlyList<WorkerReply> Replies, IReadOnlyList<string> Missing)
{
    /// <summary>
    /// Replies received but not kept: over <see cref="ControlOptions.MaxReplies"/> or
    /// <see cref="ControlOptions.MaxReplyBytes"/> (oldest dropped first), or not a <c>{hostname: value}</c> object.
    /// The workers whose replies were dropped over the caps are not named in <see cref="Missing"/>.
    /// </summary>
    public int Dropped { get; init; }
}
