using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>
/// The names a day's rollup rows are kept under: a task's or worker group's own, until its day holds the most
/// names allowed; further ones are counted under <see cref="OverflowName"/>. A client inventing a name per call,
/// or a pattern that fails to group pods, would otherwise grow the rollup tables by a row per call or pod.
/// </summary>
internal sealed class RollupNameCap
{
    /// <summary>The rollup row that names past a day's cap are counted under.</summary>
    internal const string OverflowName = "(other)";

    /// <summary>Worker groups a day's facet rollup keeps per process.</summary>
    internal const int MaxWorkerGroupsPerDay = 1000;

    private readonly SqliteConnection _connection;
    private readonly int _maxTaskNamesPerDay;
    private readonly DayCache<HashSet<string>> _taskNames = new(DayStatements.CacheDays);
    private readonly DayCache<HashSet<string>> _groupNames = new(DayStatements.CacheDays);

    /// <param name="connection">The writer's connection, which a day's task names are first read on.</param>
    /// <param name="maxTaskNamesPerDay">See <see cref="StorageOptions.MaxTaskNamesPerDay"/>.</param>
    public RollupNameCap(SqliteConnection connection, int maxTaskNamesPerDay)
    {
        _connection = connection;
        _maxTaskNamesPerDay = maxTaskNamesPerDay;
    }

    /// <summary>Rollup rows counted under <see cref="OverflowName"/> because their day already had the maximum of names.</summary>
    public long Overflowed { get; private set; }

    /// <summary>
    /// The name a rollup row is kept under: the task's own, until its day holds <see cref="StorageOptions.MaxTaskNamesPerDay"/>
    /// names. A day's names are read from its task rollup on first use.
    /// </summary>
    /// <param name="count">Whether an overflow counts in <see cref="Overflowed"/> (once per row: the facet rollups do not count again).</param>
    public string TaskName(DateOnly day, string name, bool count = true)
    {
        if (!_taskNames.TryGet(day, out var names))
        {
            names = _taskNames.Add(day, ReadTaskNames(day));
        }

        if (names.Contains(name))
        {
            return name;
        }

        if (names.Count < _maxTaskNamesPerDay)
        {
            names.Add(name);
            return name;
        }

        if (count)
        {
            Overflowed++;
        }

        names.Add(OverflowName);
        return OverflowName;
    }

    /// <summary>The worker group a facet rollup row is kept under: its own, until the day has <see cref="MaxWorkerGroupsPerDay"/> in this process.</summary>
    public string GroupName(DateOnly day, string group)
    {
        if (!_groupNames.TryGet(day, out var names))
        {
            names = _groupNames.Add(day, new HashSet<string>(StringComparer.Ordinal));
        }

        if (names.Contains(group) || (names.Count < MaxWorkerGroupsPerDay && names.Add(group)))
        {
            return group;
        }

        Overflowed++;
        return OverflowName;
    }

    /// <summary>Forgets a day's task names (the day was dropped).</summary>
    public void ForgetTaskNames(DateOnly day) => _taskNames.Forget(day);

    /// <summary>Forgets every day's task names: a rolled-back batch may have added some; they are read again from the tables on next use.</summary>
    public void ForgetTaskNames() => _taskNames.Clear();

    private HashSet<string> ReadTaskNames(DateOnly day)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT name FROM {new DayPartition(day).TaskHoursSql}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
