namespace Ingest.Storage.Rollups;

/// <summary>Failure count changes for one task, exception type and hour, with first and last time seen and the newest example.</summary>
internal sealed class FailureHourDelta
{
    public long Count { get; private set; }

    public double FirstSeen { get; private set; } = double.MaxValue;

    public double LastSeen { get; private set; } = double.MinValue;

    public string? ExampleTaskId { get; private set; }

    public void Add(RollupContribution c, int sign)
    {
        Count += sign;
        if (sign > 0)
        {
            FirstSeen = Math.Min(FirstSeen, c.Time);
            if (c.Time >= LastSeen)
            {
                LastSeen = c.Time;
                ExampleTaskId = c.TaskId;
            }
        }
    }
}
