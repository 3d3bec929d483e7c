using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Reading;

/// <summary>The columns the legacy tables actually have (read from <c>PRAGMA table_info</c>: metadata only).</summary>
internal sealed class LegacySchema
{
    private readonly HashSet<string> _columns;
    private readonly HashSet<string> _detailColumns;

    private LegacySchema(HashSet<string> columns, HashSet<string> detailColumns)
    {
        _columns = columns;
        _detailColumns = detailColumns;
    }

    public bool DetailsPresent => _detailColumns.Contains("task_id");

    public bool Has(string column) => _columns.Contains(column);

    public bool HasDetail(string column) => _detailColumns.Contains(column);

    public static LegacySchema? Read(SqliteConnection connection)
    {
        var columns = Columns(connection, PartitionCatalog.LegacyInvocations);
        return columns.Contains("task_id") ? new LegacySchema(columns, Columns(connection, PartitionCatalog.LegacyDetails)) : null;
    }

    private static HashSet<string> Columns(SqliteConnection connection, string table)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info({DayPartition.Delimit(table).Replace('"', '\'')})";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }

        return set;
    }
}
