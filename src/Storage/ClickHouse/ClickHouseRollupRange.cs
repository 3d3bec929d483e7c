using System.Text;
using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// The narrowing every ClickHouse rollup read shares, as SQLite's <see cref="RollupDaysReader"/> does it: the days a
/// range touches (partition pruning), the hour (or minute) range, and optionally a name, a set of names, a queue, a
/// worker group. Every value through <see cref="ClickHouseSql"/>; column names are this library's constants.
/// </summary>
/// <param name="Since">First hour (Unix seconds, rounded down to its hour, or its minute for the minute rollup).</param>
/// <param name="Until">End of the range, exclusive.</param>
/// <param name="Name">Only this task name.</param>
/// <param name="Names">Only these task names.</param>
/// <param name="Queue">Only this queue.</param>
/// <param name="Group">Only this worker group.</param>
/// <param name="Minutes">The minute rollup: its rows by the minute, since rounded down to its minute.</param>
internal sealed record ClickHouseRollupRange(
    double Since, double Until, string? Name = null, IReadOnlyCollection<string>? Names = null, string? Queue = null, string? Group = null, bool Minutes = false)
{
    /// <summary>The <c>WHERE</c> clause, leading space included.</summary>
    public string Where()
    {
        var from = Minutes ? RollupContribution.MinuteOf(Since) : RollupContribution.HourOf(Since);
        // A row lives in the day of the runs it counts, which is its hour's day; a day either side costs nothing.
        var sql = new StringBuilder()
            .Append(" WHERE day >= ").Append(ClickHouseSql.Date(DayPartition.DayOf(from).AddDays(-1)))
            .Append(" AND day <= ").Append(ClickHouseSql.Date(DayPartition.DayOf(Until).AddDays(1)))
            // The minute table's "hour" holds the minute's start.
            .Append(" AND hour >= ").Append(ClickHouseSql.Number(from))
            .Append(" AND hour < ").Append(ClickHouseSql.Number(Until));
        Equal(sql, "name", Name);
        if (Names is not null)
        {
            sql.Append(" AND name IN (").Append(string.Join(", ", Names.Select(n => ClickHouseSql.Quote(n)))).Append(')');
        }

        Equal(sql, "queue", Queue);
        Equal(sql, "worker_group", Group);
        return sql.ToString();
    }

    private static void Equal(StringBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = ").Append(ClickHouseSql.Quote(value));
        }
    }
}
