namespace Ingest.Pipeline;

/// <summary>What the flush batch does with a record taken from the channel (see <see cref="NewDayGate"/>).</summary>
internal enum DayAdmission
{
    /// <summary>Into this batch: its day exists, or is one of the new days this batch may create.</summary>
    Take,

    /// <summary>Its day would be one new day too many for this batch: it opens the next one.</summary>
    Wait,

    /// <summary>Its day has no partition and lies outside the window: set aside, counted as outside_window.</summary>
    SetAside,
}
