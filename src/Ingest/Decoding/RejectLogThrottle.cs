using Ingest.Accounting;

namespace Ingest.Decoding;

/// <summary>
/// At most one log line per reject reason per interval, and the count of rejects each line speaks for. A flood of
/// bad messages (an attack, or a worker with the wrong serializer) must not become a flood of log lines, yet its
/// first message is logged at once and nothing counted is left out of the next line. Pure and thread-safe; time
/// comes from a <see cref="TimeProvider"/>.
/// </summary>
public sealed class RejectLogThrottle
{
    /// <summary>The default interval between two lines for one reason.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private const long Never = long.MinValue;

    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly long[] _lastLine = new long[DecodeReasonNames.RejectCount];
    private readonly long[] _pending = new long[DecodeReasonNames.RejectCount];
    private readonly Lock _lock = new();

    /// <summary>A throttle allowing one line per reason per <paramref name="interval"/> (default one minute).</summary>
    public RejectLogThrottle(TimeProvider time, TimeSpan? interval = null)
    {
        _time = time;
        _interval = interval ?? DefaultInterval;
        Array.Fill(_lastLine, Never);
    }

    /// <summary>
    /// Counts <paramref name="count"/> rejects for <paramref name="reason"/>. True when a line is due now, with
    /// <paramref name="since"/> the rejects it speaks for: these and every one counted since the last line.
    /// </summary>
    public bool TryTake(RejectReason reason, int count, out long since)
    {
        var i = (int)reason;
        lock (_lock)
        {
            _pending[i] += count;
            var last = _lastLine[i];
            if (last != Never && _time.GetElapsedTime(last) < _interval)
            {
                since = 0;
                return false;
            }

            _lastLine[i] = _time.GetTimestamp();
            since = _pending[i];
            _pending[i] = 0;
            return true;
        }
    }
}
