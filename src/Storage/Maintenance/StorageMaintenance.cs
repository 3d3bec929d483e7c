using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;

namespace Ingest.Storage.Maintenance;

/// <summary>
/// The short steps the flush loop runs between batches on the writer connection. Each step is bounded in
/// time: today's and tomorrow's partitions are created (instant, empty tables) long before midnight.
/// </summary>
public sealed class StorageMaintenance
{
    private readonly InvocationWriter _writer;
    private readonly TimeProvider _time;

    public StorageMaintenance(InvocationWriter writer, TimeProvider time)
    {
        _writer = writer;
        _time = time;
    }

    /// <summary>Partitions created since start.</summary>
    public int PartitionsCreated { get; private set; }

    /// <summary>Runs one step. Returns a short description of what it did, or null if there was nothing to do.</summary>
    public string? RunStep(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var today = DayPartition.FromTime(_time.GetUtcNow());
        string? action = null;
        foreach (var day in new[] { today, today.Next() })
        {
            if (_writer.EnsurePartition(day))
            {
                PartitionsCreated++;
                action = $"created partition {day}";
            }
        }

        return action;
    }
}
