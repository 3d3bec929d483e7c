namespace Ingest.Storage.Reading;

/// <summary>
/// The reads this process has open on the database, each with when it began, in a small fixed set of slots: what
/// <c>/healthz</c> names when one has held the WAL too long. SQLite shows no connection another's transactions, so
/// only the process can know its own (issue 24: one open read let the WAL grow from 4 to 280 MiB in 60 s while
/// <c>/healthz</c> said ok). Lock-free: a read claims a slot with one compare-and-swap and frees it on close; the
/// oldest is a scan of the slots. Reads past the slots are counted, not tracked: the bound is the point.
/// </summary>
public sealed class OpenReads
{
    /// <summary>Reads tracked at once; more run untracked (counted).</summary>
    public const int Slots = 64;

    private readonly TimeProvider _time;
    private readonly long[] _started = new long[Slots];
    private long _untracked;

    public OpenReads(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Reads that began while every slot was taken (since start).</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>Reads open now, tracked ones only.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            for (var i = 0; i < Slots; i++)
            {
                if (Volatile.Read(ref _started[i]) != 0)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>How long the oldest open read has been open, or null when none is.</summary>
    public TimeSpan? OldestAge
    {
        get
        {
            long oldest = 0;
            for (var i = 0; i < Slots; i++)
            {
                var started = Volatile.Read(ref _started[i]);
                if (started != 0 && (oldest == 0 || started < oldest))
                {
                    oldest = started;
                }
            }

            return oldest == 0 ? null : _time.GetElapsedTime(oldest);
        }
    }

    /// <summary>Records a read that begins now; returns its slot for <see cref="End"/>, or -1 when none was free.</summary>
    public int Begin()
    {
        // 0 marks a free slot; a clock that reads 0 (a fake one at its origin) is stored as 1 tick later.
        var now = Math.Max(1, _time.GetTimestamp());
        for (var i = 0; i < Slots; i++)
        {
            if (Interlocked.CompareExchange(ref _started[i], now, 0) == 0)
            {
                return i;
            }
        }

        Interlocked.Increment(ref _untracked);
        return -1;
    }

    /// <summary>Frees the slot <see cref="Begin"/> gave (a no-op for -1).</summary>
    public void End(int slot)
    {
        if (slot >= 0)
        {
            Volatile.Write(ref _started[slot], 0);
        }
    }
}
