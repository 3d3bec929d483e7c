namespace Ingest.Decoding;

/// <summary>What one message body gave: the good events, and counts of what was rejected or repaired.</summary>
public sealed class DecodedBody
{
    public List<CeleryEvent> Events { get; } = [];

    public int[] Rejected { get; } = new int[DecodeReasonNames.RejectCount];

    public int[] Repaired { get; } = new int[DecodeReasonNames.RepairCount];

    /// <summary>True when the body was an array (<c>task.multi</c>), including an empty one.</summary>
    public bool WasBatch { get; set; }

    /// <summary>Set when the body could not be parsed to its end: what was wrong, for the caller's error message.</summary>
    public string? MalformedError { get; set; }

    public int RejectedTotal => Rejected.Sum();

    internal void Reject(RejectReason reason) => Rejected[(int)reason]++;

    internal void Note(Repair repair) => Repaired[(int)repair]++;
}
