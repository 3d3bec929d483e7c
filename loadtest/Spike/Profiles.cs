namespace Ingest.Spike;

/// <summary>A traffic shape: target tasks per minute at each moment, and its name for the progress line.</summary>
public abstract class Profile
{
    /// <summary>Total length; null runs until cancelled.</summary>
    public abstract TimeSpan? Length { get; }

    public abstract double TasksPerMinute(TimeSpan elapsed);

    public abstract string Phase(TimeSpan elapsed);
}

/// <summary>A constant rate.</summary>
public sealed class SteadyProfile(double rate, TimeSpan? length) : Profile
{
    public override TimeSpan? Length => length;

    public override double TasksPerMinute(TimeSpan elapsed) => rate;

    public override string Phase(TimeSpan elapsed) => "steady";
}

/// <summary>
/// The incident: baseline, then the spike (13k to 73k tasks/min for 75 minutes), then baseline again. Rates are
/// the incident's; only durations are divided by the compression factor, so the spike runs at full rate.
/// </summary>
public sealed class IncidentProfile(double baseline, double peak, double compress, TimeSpan before, TimeSpan spike, TimeSpan after) : Profile
{
    private TimeSpan Before => before / compress;
    private TimeSpan Spike => spike / compress;
    private TimeSpan After => after / compress;

    public override TimeSpan? Length => Before + Spike + After;

    public override double TasksPerMinute(TimeSpan elapsed) => elapsed >= Before && elapsed < Before + Spike ? peak : baseline;

    public override string Phase(TimeSpan elapsed) => elapsed < Before ? "baseline" : elapsed < Before + Spike ? "SPIKE" : "after";
}

/// <summary>A step ramp to find the highest rate Ingest sustains: start, then +step every stepLength.</summary>
public sealed class RampProfile(double start, double step, TimeSpan stepLength, double max) : Profile
{
    public override TimeSpan? Length => stepLength * (Steps + 1);

    public int Steps => (int)Math.Floor((max - start) / step);

    public override double TasksPerMinute(TimeSpan elapsed) => Math.Min(max, start + (step * Math.Floor(elapsed / stepLength)));

    public override string Phase(TimeSpan elapsed) => $"step {(int)Math.Floor(elapsed / stepLength) + 1}";

    public int StepAt(TimeSpan elapsed) => (int)Math.Floor(elapsed / stepLength);
}
