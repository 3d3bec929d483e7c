using Ingest.Storage;
using Ingest.Storage.Partitions;

namespace Ingest.Pipeline;

/// <summary>
/// Bounds the partitions one batch creates, in number and in time (issue 24: a batch of 2,000 records on 2,000 new
/// days took 243.6 s, and each new day costs more than the last). A batch takes at most
/// <see cref="PipelineOptions.MaxNewDaysPerBatch"/> new days, and fewer when the last day's creation says they would
/// not fit in half the stall threshold; a record of one new day too many waits for the next batch. A record dated
/// outside the window, with no partition of its day left, is set aside. Used by the flush loop's thread only.
/// </summary>
internal sealed class NewDayGate
{
    private readonly HashSet<DateOnly> _newDays = [];
    private readonly int _maxNewDays;
    private readonly TimeSpan _budget;
    private IBatchWriter? _writer;
    private DateOnly _lastExisting;

    /// <param name="maxNewDays">Most new days one batch creates.</param>
    /// <param name="budget">Time one batch may spend creating days.</param>
    public NewDayGate(int maxNewDays, TimeSpan budget)
    {
        _maxNewDays = Math.Max(1, maxNewDays);
        _budget = budget;
    }

    /// <summary>New days the current batch may still create, by the count and by the last creation's cost (always at least one per batch, so a backlog moves).</summary>
    public int NewDaysAllowed
    {
        get
        {
            var cost = _writer?.NewDayCost ?? TimeSpan.Zero;
            var byTime = cost > TimeSpan.Zero ? (int)Math.Min(_maxNewDays, _budget / cost) : _maxNewDays;
            return Math.Max(1, byTime);
        }
    }

    /// <summary>New days the current batch creates.</summary>
    public int NewDays => _newDays.Count;

    /// <summary>The writer whose partitions the gate asks about (until then every record is taken).</summary>
    public void Attach(IBatchWriter writer) => _writer = writer;

    /// <summary>Decides a record's fate in the current batch, and counts its day if the batch will create it.</summary>
    public DayAdmission Admit(InvocationRecord record)
    {
        if (_writer is null)
        {
            return DayAdmission.Take;
        }

        var day = DayPartition.DayOf(record.PartitionTime);
        if (day == _lastExisting || _newDays.Contains(day))
        {
            return DayAdmission.Take; // most records land on the day before them: one comparison
        }

        switch (_writer.Place(day))
        {
            case DayPlacement.Existing:
                _lastExisting = day;
                return DayAdmission.Take;
            case DayPlacement.OutsideWindow:
                return DayAdmission.SetAside;
            default:
                if (_newDays.Count >= NewDaysAllowed)
                {
                    return DayAdmission.Wait;
                }

                _newDays.Add(day);
                return DayAdmission.Take;
        }
    }

    /// <summary>The batch is committed or dropped: the next one starts with no new day, and a day may have gone since.</summary>
    public void NextBatch()
    {
        _newDays.Clear();
        _lastExisting = default;
    }
}
