namespace Ingest.Control;

/// <summary>
/// kombu's Lamport clock, sent as the <c>clock</c> header of every command: moved past every clock value a reply
/// carries, as <c>Mailbox._collect</c> does, so that Ingest's commands order after what the fleet has seen.
/// </summary>
internal sealed class PidboxClock
{
    private long _value;

    /// <summary>Advances the clock for a message about to be sent, and returns the new value.</summary>
    public long Forward() => Interlocked.Increment(ref _value);

    /// <summary>Moves the clock past <paramref name="other"/> (a value received).</summary>
    public void Adjust(long other)
    {
        var current = Interlocked.Read(ref _value);
        while (other > current)
        {
            var seen = Interlocked.CompareExchange(ref _value, other, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
