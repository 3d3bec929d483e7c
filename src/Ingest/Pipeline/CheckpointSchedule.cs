namespace Ingest.Pipeline;

/// <summary>
/// When the flush loop writes the in-flight checkpoint (issue 13): once per <see cref="Interval"/>, and at once
/// when someone waits for durability. A zero interval turns checkpoints off. Pure policy on the clock it is given.
/// </summary>
internal sealed class CheckpointSchedule
{
    private readonly TimeProvider _time;

    // 0 until the first checkpoint: the time since is then counted from the clock's origin.
    private long _lastTakenTimestamp;

    public CheckpointSchedule(TimeSpan interval, TimeProvider time)
    {
        Interval = interval;
        _time = time;
    }

    /// <summary>The configured checkpoint interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>False when checkpoints are off (a zero interval): nothing is checkpointed, restored or kept.</summary>
    public bool Enabled => Interval > TimeSpan.Zero;

    /// <summary>Whether a checkpoint is due now.</summary>
    /// <param name="durabilityRequested">Someone waits for the applied events to be durable.</param>
    public bool IsDue(bool durabilityRequested) =>
        Enabled && (durabilityRequested || _time.GetElapsedTime(_lastTakenTimestamp) >= Interval);

    /// <summary>A checkpoint is being taken now: the next is due an interval from here.</summary>
    public void Taken() => _lastTakenTimestamp = _time.GetTimestamp();
}
