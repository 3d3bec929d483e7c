
namespace Ingest.Accounting;

/// <summary>
/// Every counter Ingest keeps, as plain interlocked longs: the hot path pays one atomic add, and
/// <c>/healthz</c>, <c>/metrics</c> and the CLI read the same numbers. Invariant (at rest):
/// <see cref="InvocationsReceived"/> = <see cref="InvocationsFlushed"/> + dropped (all reasons) + queued.
/// </summary>
public sealed class IngestCounters
{
    private readonly long[] _eventsAccepted = new long[CeleryEventTypes.Count];
    private readonly long[] _eventsRejected = new long[DecodeReasonNames.RejectCount];
    private readonly long[] _eventsRepaired = new long[DecodeReasonNames.RepairCount];
    private readonly long[] _dropped = new long[DiagnosticNames.DropReasonCount];
    private readonly long[] _earlyWrites = new long[DiagnosticNames.EarlyWriteReasonCount];
    private long _messages;
    private long _emptyBatches;
    private long _invocationsReceived;
    private long _invocationsFlushed;
    private long _batches;
    private long _writeErrors;
    private long _droppedAtLastShutdown;
    private long _refusedBodies;
    private long _detailsSampled;
    private long _detailSampleNamesDropped;
    private readonly TimeProvider _time;
    private long _lastDropTimestamp;
    private int _lastDropReason;
    private string? _lastWriteFailure;

    /// <param name="time">Stamps the last drop, so that every reason marks health degraded for a while.</param>
    public IngestCounters(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>When the last record was dropped, for any reason (a <see cref="TimeProvider.GetTimestamp"/> value), 0 if never.</summary>
    public long LastDropTimestamp => Volatile.Read(ref _lastDropTimestamp);

    /// <summary>The reason of the last drop (meaningful once <see cref="LastDropTimestamp"/> is set).</summary>
    public DropReason LastDropReason => (DropReason)Volatile.Read(ref _lastDropReason);

    /// <summary>Why the last record set aside as write_failed could not be written, with its task id.</summary>
    public string? LastWriteFailure => Volatile.Read(ref _lastWriteFailure);

    public long Messages => Volatile.Read(ref _messages);

    public long EmptyBatches => Volatile.Read(ref _emptyBatches);

    /// <summary>Invocation records handed to the channel.</summary>
    public long InvocationsReceived => Volatile.Read(ref _invocationsReceived);

    /// <summary>Invocation records committed to SQLite.</summary>
    public long InvocationsFlushed => Volatile.Read(ref _invocationsFlushed);

    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Failed batch commits (each may be retried; a batch given up on counts under <see cref="DropReason.WriteFailed"/>).</summary>
    public long WriteErrors => Volatile.Read(ref _writeErrors);

    public long DroppedTotal => Sum(_dropped);

    public long EventsAcceptedTotal => Sum(_eventsAccepted);

    public long EventsRejectedTotal => Sum(_eventsRejected);

    public long Accepted(CeleryEventType type) => Volatile.Read(ref _eventsAccepted[(int)type]);

    public long Rejected(RejectReason reason) => Volatile.Read(ref _eventsRejected[(int)reason]);

    public long Repaired(Repair repair) => Volatile.Read(ref _eventsRepaired[(int)repair]);

    public long Dropped(DropReason reason) => Volatile.Read(ref _dropped[(int)reason]);

    public long EarlyWrites(EarlyWriteReason reason) => Volatile.Read(ref _earlyWrites[(int)reason]);

    /// <summary>One message body decoded: its rejects and repairs by reason (indexed as the enums), and whether it was an empty batch.</summary>
    public void AddMessage(bool emptyBatch, ReadOnlySpan<int> rejected, ReadOnlySpan<int> repaired)
    {
        Interlocked.Increment(ref _messages);
        if (emptyBatch)
        {
            Interlocked.Increment(ref _emptyBatches);
        }

        for (var i = 0; i < rejected.Length; i++)
        {
            if (rejected[i] != 0)
            {
                Interlocked.Add(ref _eventsRejected[i], rejected[i]);
            }
        }

        for (var i = 0; i < repaired.Length; i++)
        {
            if (repaired[i] != 0)
            {
                Interlocked.Add(ref _eventsRepaired[i], repaired[i]);
            }
        }
    }

    /// <summary>A whole body refused before decoding (over the size limit).</summary>
    public void AddRejectedBody(RejectReason reason)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Increment(ref _eventsRejected[(int)reason]);
    }

    /// <summary>HTTP bodies answered 503 (retry later) because Ingest could not take them without losing them.</summary>
    public long RefusedBodies => Volatile.Read(ref _refusedBodies);

    public void AddRefusedBody() => Interlocked.Increment(ref _refusedBodies);

    public void AddAccepted(CeleryEventType type) => Interlocked.Increment(ref _eventsAccepted[(int)type]);

    public void AddInvocationReceived() => Interlocked.Increment(ref _invocationsReceived);

    public void AddFlushed(int count)
    {
        Interlocked.Add(ref _invocationsFlushed, count);
        Interlocked.Increment(ref _batches);
    }

    public void AddDropped(DropReason reason, long count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        Interlocked.Add(ref _dropped[(int)reason], count);
        Volatile.Write(ref _lastDropReason, (int)reason);
        Volatile.Write(ref _lastDropTimestamp, _time.GetTimestamp());
    }

    /// <summary>One record the writer could not store for a reason of its own (not the disk), set aside and counted.</summary>
    public void AddWriteFailed(string why)
    {
        Volatile.Write(ref _lastWriteFailure, why);
        AddDropped(DropReason.WriteFailed);
    }

    /// <summary>
    /// Records the last process's shutdown drain could not write, as it recorded them in the file (read once at
    /// start; 0 after a clean shutdown or none recorded). Already counted as dropped by that process, not by this one.
    /// </summary>
    public long DroppedAtLastShutdown => Volatile.Read(ref _droppedAtLastShutdown);

    /// <summary>Sets <see cref="DroppedAtLastShutdown"/> (the flush loop, at start).</summary>
    public void SetDroppedAtLastShutdown(long count) => Volatile.Write(ref _droppedAtLastShutdown, count);

    public void AddEarlyWrite(EarlyWriteReason reason) => Interlocked.Increment(ref _earlyWrites[(int)reason]);

    /// <summary>Successes stored without their details by the detail sample (<c>details_not_kept{reason=sampled}</c>).</summary>
    public long DetailsSampled => Volatile.Read(ref _detailsSampled);

    /// <summary>Task names the detail sample stopped measuring because its name cap was full (oldest first).</summary>
    public long DetailSampleNamesDropped => Volatile.Read(ref _detailSampleNamesDropped);

    public void AddDetailsSampled() => Interlocked.Increment(ref _detailsSampled);

    public void AddDetailSampleNameDropped() => Interlocked.Increment(ref _detailSampleNamesDropped);

    /// <summary>Runs stored without their details, by reason (only <c>sampled</c> so far; detail retention drops whole days, counted apart).</summary>
    public IReadOnlyDictionary<string, long> DetailsNotKeptByReason() => new Dictionary<string, long> { ["sampled"] = DetailsSampled };

    public void AddWriteError() => Interlocked.Increment(ref _writeErrors);

    private static long Sum(long[] counters)
    {
        long total = 0;
        for (var i = 0; i < counters.Length; i++)
        {
            total += Volatile.Read(ref counters[i]);
        }

        return total;
    }

    public IReadOnlyDictionary<string, long> AcceptedByType() =>
        Enumerable.Range(0, CeleryEventTypes.Count).ToDictionary(i => ((CeleryEventType)i).WireName(), i => Volatile.Read(ref _eventsAccepted[i]));

    public IReadOnlyDictionary<string, long> RejectedByReason() =>
        Enumerable.Range(0, DecodeReasonNames.RejectCount).ToDictionary(i => ((RejectReason)i).Name(), i => Volatile.Read(ref _eventsRejected[i]));

    public IReadOnlyDictionary<string, long> RepairedByKind() =>
        Enumerable.Range(0, DecodeReasonNames.RepairCount).ToDictionary(i => ((Repair)i).Name(), i => Volatile.Read(ref _eventsRepaired[i]));

    public IReadOnlyDictionary<string, long> DroppedByReason() =>
        Enumerable.Range(0, DiagnosticNames.DropReasonCount).ToDictionary(i => ((DropReason)i).Name(), i => Volatile.Read(ref _dropped[i]));

    public IReadOnlyDictionary<string, long> EarlyWritesByReason() =>
        Enumerable.Range(0, DiagnosticNames.EarlyWriteReasonCount).ToDictionary(i => ((EarlyWriteReason)i).Name(), i => Volatile.Read(ref _earlyWrites[i]));
}
