using System.Text;
using System.Text.Json;
using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Rollups;

/// <summary>
/// One rollup table of every day a range touches, read as one <c>UNION ALL</c> with the same narrowing in each arm
/// (hour range, and optionally a name, a set of names, a queue, a worker group): the shape every rollup read shares.
/// Table and column names are this library's constants, never request text; values are bound.
/// </summary>
internal sealed class RollupDaysReader
{
    private readonly double _since;
    private readonly double _until;
    private readonly string? _name;
    private readonly string? _names;
    private readonly List<(string Column, string Value)> _facets = [];
    private readonly bool _minutes;

    /// <param name="since">First hour (Unix seconds, rounded down to its hour).</param>
    /// <param name="until">End of the range, exclusive.</param>
    /// <param name="name">Only this task name.</param>
    /// <param name="names">Only these task names (one bound JSON array: a page of names is one statement, not one per name).</param>
    /// <param name="queue">Only this queue (facet tables only).</param>
    /// <param name="group">Only this worker group (facet tables only).</param>
    /// <param name="minutes">Reads the minute rollup: keyed by <c>minute</c>, and since is rounded down to its minute, not its hour.</param>
    public RollupDaysReader(double since, double until, string? name = null, IReadOnlyCollection<string>? names = null, string? queue = null, string? group = null, bool minutes = false)
    {
        _minutes = minutes;
        _since = since;
        _until = until;
        _name = name;
        _names = names is null ? null : JsonSerializer.Serialize(names);
        if (queue is not null)
        {
            _facets.Add(("queue", queue));
        }

        if (group is not null)
        {
            _facets.Add(("worker_group", group));
        }
    }

    /// <summary>
    /// <c>SELECT <paramref name="columns"/> FROM</c> the table of each day in range that has it, narrowed, joined by
    /// <c>UNION ALL</c>; null when no day has it.
    /// </summary>
    public string? Union(SqliteConnection connection, Func<DayPartition, string> table, string columns)
    {
        var tables = ExistingTables(connection);
        // An hour's row lives in the day of the invocations it counts, which is that hour's day almost always;
        // a day either side covers a merged row whose finish moved it.
        var first = DayPartition.FromUnixSeconds(_since).Day.AddDays(-1);
        var last = DayPartition.FromUnixSeconds(_until).Day.AddDays(1);
        var sql = new StringBuilder();
        foreach (var day in PartitionCatalog.ListDays(connection))
        {
            if (day.Day < first || day.Day > last || !tables.Contains(table(day).Trim('"')))
            {
                continue;
            }

            if (sql.Length > 0)
            {
                sql.Append("\nUNION ALL\n");
            }

            var key = _minutes ? "minute" : "hour";
            sql.Append("SELECT ").Append(columns).Append(" FROM ").Append(table(day)).Append(" WHERE ").Append(key).Append(" >= $since AND ").Append(key).Append(" < $until");
            if (_name is not null)
            {
                sql.Append(" AND name = $name");
            }

            if (_names is not null)
            {
                sql.Append(" AND name IN (SELECT value FROM json_each($names))");
            }

            foreach (var (column, _) in _facets)
            {
                sql.Append(" AND ").Append(column).Append(" = $").Append(column);
            }
        }

        return sql.Length == 0 ? null : sql.ToString();
    }

    /// <summary>Binds the values <see cref="Union"/>'s text refers to.</summary>
    public void Bind(SqliteCommand command)
    {
        command.Parameters.AddWithValue("$since", _minutes ? RollupContribution.MinuteOf(_since) : RollupContribution.HourOf(_since));
        command.Parameters.AddWithValue("$until", _until);
        if (_name is not null)
        {
            command.Parameters.AddWithValue("$name", _name);
        }

        if (_names is not null)
        {
            command.Parameters.AddWithValue("$names", _names);
        }

        foreach (var (column, value) in _facets)
        {
            command.Parameters.AddWithValue("$" + column, value);
        }
    }

    /// <summary>The rollup tables present (a day's may be missing: written before that rollup existed).</summary>
    public static HashSet<string> ExistingTables(SqliteConnection connection)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'task\\_hours\\_%' ESCAPE '\\' OR name LIKE 'failure\\_hours\\_%' ESCAPE '\\' OR name LIKE 'group\\_hours\\_%' ESCAPE '\\' OR name LIKE 'queue\\_lengths\\_%' ESCAPE '\\' OR name LIKE 'failure\\_groups\\_%' ESCAPE '\\' OR name LIKE 'task\\_minutes\\_%' ESCAPE '\\')";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
