namespace Ingest.Sources;

/// <summary>
/// How long a source waits before trying a broker again: an initial delay, multiplied after each failure up to a
/// cap, and back to the initial delay after a success. One policy for every source (AMQP connect, AMQP resubscribe,
/// Redis subscribe), so each waits as the others do and the sequence is tested once, on a fake clock.
/// Not thread-safe: each retry loop owns its own.
/// </summary>
public sealed class ReconnectBackoff
{
    /// <summary>The first delay, unless told otherwise: 1 s, short enough that a broker restarting is missed for little.</summary>
    public static readonly TimeSpan DefaultInitialDelay = TimeSpan.FromSeconds(1);

    /// <summary>The factor between two delays, unless told otherwise: each wait doubles the last.</summary>
    public const double DefaultMultiplier = 2;

    private readonly TimeSpan _initial;
    private readonly TimeSpan _cap;
    private readonly double _multiplier;
    private readonly Random? _jitter;

    // The delay without jitter, from which the next one grows; and the one the next wait takes (jittered once, so
    // what is logged before a wait is what is waited).
    private TimeSpan _base;
    private TimeSpan _current;

    /// <summary>A backoff from <paramref name="initialDelay"/> (1 s by default), times <paramref name="multiplier"/> after each failure, growing no further than <paramref name="cap"/>.</summary>
    /// <param name="cap">The longest delay the growth reaches (the initial delay is taken as given, as the sources always did).</param>
    /// <param name="initialDelay">The first delay, and the one after <see cref="Reset"/>.</param>
    /// <param name="multiplier">The factor between two delays, at least 1.</param>
    /// <param name="jitter">
    /// None (the default): delays are exact. With one, each delay is drawn uniformly from its upper half
    /// ([delay / 2, delay]), so many clients that lost one broker together do not all come back at once.
    /// </param>
    public ReconnectBackoff(TimeSpan cap, TimeSpan? initialDelay = null, double multiplier = DefaultMultiplier, Random? jitter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplier, 1);
        _initial = initialDelay ?? DefaultInitialDelay;
        ArgumentOutOfRangeException.ThrowIfNegative(_initial.Ticks, nameof(initialDelay));
        ArgumentOutOfRangeException.ThrowIfNegative(cap.Ticks, nameof(cap));
        _cap = cap;
        _multiplier = multiplier;
        _jitter = jitter;
        Reset();
    }

    /// <summary>The delay the next failure waits, without taking it.</summary>
    public TimeSpan Current => _current;

    /// <summary>Takes the delay to wait after this failure; the one after it grows by the multiplier, up to the cap.</summary>
    public TimeSpan NextDelay()
    {
        var delay = _current;
        _base = TimeSpan.FromTicks((long)Math.Min(_base.Ticks * _multiplier, _cap.Ticks));
        _current = Jittered(_base);
        return delay;
    }

    /// <summary>After a success: the next failure waits the initial delay again.</summary>
    public void Reset()
    {
        _base = _initial;
        _current = Jittered(_base);
    }

    /// <summary>Takes the next delay (<see cref="NextDelay"/>) and waits it on <paramref name="time"/>; returns the delay waited.</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled first.</exception>
    public async Task<TimeSpan> WaitAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = NextDelay();
        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        return delay;
    }

    private TimeSpan Jittered(TimeSpan delay) =>
        _jitter is null ? delay : TimeSpan.FromTicks(delay.Ticks - (long)(delay.Ticks / 2 * _jitter.NextDouble()));
}
