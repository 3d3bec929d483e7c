using System.ComponentModel.DataAnnotations;

namespace Ingest.Storage.Retention;

/// <summary>How long invocations are kept, and how the file is kept within its bounds.</summary>
public sealed class RetentionOptions
{
    /// <summary>Days kept, today included: with 7, today and the six days before it. Default 7, range 1 to 3650.</summary>
    [Range(1, 3650)]
    public int Days { get; set; } = 7;

    /// <summary>
    /// Days the details (args, kwargs, result, traceback) and their search index are kept, today included; older
    /// days keep their rows and rollups. Done by dropping the day's details and search tables whole (and recreating
    /// an empty details table), never by DELETE or UPDATE. Details are 60 % of a stored invocation's bytes. Default
    /// 0: as long as the rows (<see cref="Days"/>); range 0 to 3650.
    /// </summary>
    [Range(0, 3650)]
    public int DetailDays { get; set; }

    /// <summary>
    /// Whether maintenance drops days (past <see cref="Days"/>, or under disk pressure). Default true. <c>replay</c>
    /// turns it off unless asked (<c>Ingest__Retention__DropDays=true</c>), so that it never deletes what it has just written.
    /// </summary>
    public bool DropDays { get; set; } = true;

    /// <summary>
    /// Time budget of one incremental-vacuum step; the page count per step adapts to it. Default 50 ms, range
    /// 1 ms to 5 s. (Measured: 1000 pages take 12 ms after a 1M-row drop but ~0.5 s after a 5M-row drop, and
    /// one unbounded call held the write lock for 6 minutes.)
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan VacuumStepBudget { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Cap on the bytes the database uses (pages in use, free pages excluded). Over it, whole days are dropped,
    /// oldest first (legacy before any day), never today's or tomorrow's; with <see cref="DetailDays"/> set, the
    /// oldest day that still has details loses them first. Default 0: no cap.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxDatabaseBytes { get; set; }

    /// <summary>
    /// No day is dropped until this long after start, so that a restarted instance first catches up on the backlog
    /// it inherited (in the incident, every restart inherited the same backlog). Default 0, range 0 to 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FirstDropDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Free space to keep on the database's volume; under it, days are dropped as for the cap. Default 0: off.</summary>
    [Range(0, long.MaxValue)]
    public long MinFreeDiskBytes { get; set; }
}
