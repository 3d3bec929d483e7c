using Ingest.Accounting;
using Ingest.Tracking;

namespace Ingest.Decoding;

/// <summary>What one message body gave: the good events, and counts of what was rejected or repaired.</summary>
public sealed class DecodedBody
{
    public List<CeleryEvent> Events { get; } = [];

    public int[] Rejected { get; } = new int[DecodeReasonNames.RejectCount];

    public int[] Repaired { get; } = new int[DecodeReasonNames.RepairCount];

    /// <summary>True when the body was an array (<c>task.multi</c>), including an empty one.</summary>
    public bool WasBatch { get; set; }

    /// <summary>
    /// Set when the body was refused whole or could not be parsed to its end: what was wrong, for the caller's error
    /// message and the log (escaped: no sender byte reaches it raw).
    /// </summary>
    public string? MalformedError { get; set; }

    /// <summary>Why the body was refused whole or cut short (set with <see cref="MalformedError"/>); null otherwise.</summary>
    public RejectReason? BodyReason { get; private set; }

    public int RejectedTotal => Rejected.Sum();

    internal void Reject(RejectReason reason) => Rejected[(int)reason]++;

    /// <summary>Counts the body itself as refused, or cut short, for <paramref name="reason"/>.</summary>
    internal void RejectBody(RejectReason reason, string error)
    {
        Reject(reason);
        BodyReason = reason;
        MalformedError = error;
    }

    internal void Note(Repair repair) => Repaired[(int)repair]++;
}
