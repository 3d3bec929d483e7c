using System.Globalization;

namespace Ingest.Storage.Partitions;

/// <summary>
/// One UTC day of storage: the tables <c>invocations_YYYYMMDD</c> and <c>invocation_details_YYYYMMDD</c>.
/// Table names are built only here, from a <see cref="DateOnly"/> in a sane range, so no text from the wire
/// can ever reach an identifier.
/// </summary>
public readonly record struct DayPartition : IComparable<DayPartition>
{
    public const string InvocationsPrefix = "invocations_";
    public const string DetailsPrefix = "invocation_details_";
    public const string SearchPrefix = "invocation_search_";
    public const string TaskHoursPrefix = "task_hours_";
    public const string FailureHoursPrefix = "failure_hours_";
    public const string GroupHoursPrefix = "group_hours_";
    public const string QueueLengthsPrefix = "queue_lengths_";
    public const string FailureGroupsPrefix = "failure_groups_";
    public const string TaskMinutesPrefix = "task_minutes_";
    public const string AuditPrefix = "audit_";
    public const string WorkersPrefix = "workers_";
    public const string DictionariesPrefix = "detail_dicts_";

    /// <summary>Earliest day a partition may have; earlier timestamps are treated as bad input upstream.</summary>
    public static readonly DateOnly MinDay = new(2000, 1, 1);

    /// <summary>Latest day a partition may have.</summary>
    public static readonly DateOnly MaxDay = new(2199, 12, 31);

    public DayPartition(DateOnly day)
    {
        if (day < MinDay || day > MaxDay)
        {
            throw new ArgumentOutOfRangeException(nameof(day), day, $"A partition day must lie between {MinDay:yyyy-MM-dd} and {MaxDay:yyyy-MM-dd}.");
        }

        Day = day;
        Suffix = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
    }

    public DateOnly Day { get; }

    /// <summary>The eight digits <c>YYYYMMDD</c>.</summary>
    public string Suffix { get; }

    public string InvocationsTable => InvocationsPrefix + Suffix;

    public string DetailsTable => DetailsPrefix + Suffix;

    /// <summary>The table name delimited for SQL (names are digits and letters only, so this is belt and braces).</summary>
    public string InvocationsSql => Delimit(InvocationsTable);

    /// <summary>The day's full-text index over args, kwargs and result (FTS5, contentless: it stores no copy of the text).</summary>
    public string SearchTable => SearchPrefix + Suffix;

    public string SearchSql => Delimit(SearchTable);

    /// <summary>Per task name and hour: counts by final state and a runtime histogram.</summary>
    public string TaskHoursTable => TaskHoursPrefix + Suffix;

    public string TaskHoursSql => Delimit(TaskHoursTable);

    /// <summary>Per task name, exception type and hour: failure counts, first and last seen, one example.</summary>
    public string FailureHoursTable => FailureHoursPrefix + Suffix;

    public string FailureHoursSql => Delimit(FailureHoursTable);

    /// <summary>Per task name, queue, worker group and hour: counts by final state and histograms of runtime, queue wait and pickup wait.</summary>
    public string GroupHoursTable => GroupHoursPrefix + Suffix;

    public string GroupHoursSql => Delimit(GroupHoursTable);

    public string DetailsSql => Delimit(DetailsTable);

    /// <summary>Per task name, exception type, queue, worker group and hour: failure counts (the failures' facets).</summary>
    public string FailureGroupsTable => FailureGroupsPrefix + Suffix;

    public string FailureGroupsSql => Delimit(FailureGroupsTable);

    /// <summary>
    /// Per task name, queue, worker group and minute: the facet rollup's figures at minute resolution, kept for the
    /// last 48 hours only (issue 25: "15 min" showed the current hour as one bar).
    /// </summary>
    public string TaskMinutesTable => TaskMinutesPrefix + Suffix;

    public string TaskMinutesSql => Delimit(TaskMinutesTable);

    /// <summary>Broker queue lengths sampled during the day: one row per queue and sample time.</summary>
    public string QueueLengthsTable => QueueLengthsPrefix + Suffix;

    public string QueueLengthsSql => Delimit(QueueLengthsTable);

    /// <summary>The control actions and refusals of the day (issue 27's audit trail).</summary>
    public string AuditTable => AuditPrefix + Suffix;

    public string AuditSql => Delimit(AuditTable);

    /// <summary>The last state of each worker seen during the day (issue 25): one row per worker, upserted.</summary>
    public string WorkersTable => WorkersPrefix + Suffix;

    public string WorkersSql => Delimit(WorkersTable);

    /// <summary>The zstd dictionaries the day's details are compressed with (issue 29), by id; only on days made since.</summary>
    public string DictionariesTable => DictionariesPrefix + Suffix;

    public string DictionariesSql => Delimit(DictionariesTable);

    /// <summary>Start of the day as Unix seconds.</summary>
    public double StartUnixSeconds => new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0;

    public DayPartition Next() => new(Day.AddDays(1));

    public static DayPartition FromUnixSeconds(double seconds) => new(DayOf(seconds));

    /// <summary>The UTC day of a Unix time, clamped to the days a partition may have; builds no table name (the flush loop asks it per record).</summary>
    public static DateOnly DayOf(double seconds)
    {
        var clamped = Math.Clamp(seconds, 946_684_800d, 7_258_118_399d);
        return DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds((long)(clamped * 1000)).UtcDateTime);
    }

    public static DayPartition FromTime(DateTimeOffset time) => new(DateOnly.FromDateTime(time.UtcDateTime));

    /// <summary>Recognises <c>invocations_YYYYMMDD</c> (and only that: no legacy, no details, no stray suffix).</summary>
    public static bool TryParseInvocationsTable(string tableName, out DayPartition partition)
    {
        partition = default;
        if (!tableName.StartsWith(InvocationsPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = tableName.AsSpan(InvocationsPrefix.Length);
        if (suffix.Length != 8 || !IsAsciiDigits(suffix)
            || !DateOnly.TryParseExact(suffix, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || day < MinDay || day > MaxDay)
        {
            return false;
        }

        partition = new DayPartition(day);
        return true;
    }

    public int CompareTo(DayPartition other) => Day.CompareTo(other.Day);

    public static bool operator <(DayPartition left, DayPartition right) => left.CompareTo(right) < 0;

    public static bool operator <=(DayPartition left, DayPartition right) => left.CompareTo(right) <= 0;

    public static bool operator >(DayPartition left, DayPartition right) => left.CompareTo(right) > 0;

    public static bool operator >=(DayPartition left, DayPartition right) => left.CompareTo(right) >= 0;

    public override string ToString() => Suffix;

    internal static string Delimit(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static bool IsAsciiDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
