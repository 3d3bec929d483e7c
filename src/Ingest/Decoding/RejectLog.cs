using Ingest.Accounting;
using Microsoft.Extensions.Logging;

namespace Ingest.Decoding;

/// <summary>
/// Names each reject in the log, so an operator can tell an attack from a bug: per reason at most one line a minute
/// (<see cref="RejectLogThrottle"/>), with how many were rejected since the last line, where the latest came from,
/// why, and its first bytes escaped (<see cref="EscapedSample"/>). The counters carry the exact numbers; the line
/// says what to look for.
/// </summary>
public sealed class RejectLog
{
    private readonly ILogger _logger;
    private readonly RejectLogThrottle _throttle;

    /// <summary>A log writing to <paramref name="logger"/>, one line per reason per minute of <paramref name="time"/>.</summary>
    public RejectLog(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _throttle = new RejectLogThrottle(time);
    }

    /// <summary>Notes every reject of one decoded body; <paramref name="body"/> gives the sample.</summary>
    public void Note(DecodedBody decoded, string source, ReadOnlySpan<byte> body)
    {
        for (var i = 0; i < decoded.Rejected.Length; i++)
        {
            if (decoded.Rejected[i] > 0)
            {
                var reason = (RejectReason)i;
                Note(reason, decoded.Rejected[i], source, body, decoded.BodyReason == reason ? decoded.MalformedError : "an element of the body");
            }
        }
    }

    /// <summary>Notes <paramref name="count"/> rejects for one reason; <paramref name="why"/> is already escaped.</summary>
    public void Note(RejectReason reason, int count, string source, ReadOnlySpan<byte> body, string? why)
    {
        if (_throttle.TryTake(reason, count, out var since) && _logger.IsEnabled(LogLevel.Warning))
        {
            Log.Rejected(_logger, since, reason.Name(), source, why ?? "", EscapedSample.Of(body));
        }
    }
}
