using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>The prepared delete and insert of one day's full-text index.</summary>
internal sealed class SearchStatements : IDisposable
{
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _insert;

    public SearchStatements(SqliteConnection connection, DayPartition day)
    {
        _delete = connection.CreateCommand();
        _delete.CommandText = $"DELETE FROM {day.SearchSql} WHERE rowid = $id";
        _delete.Parameters.Add(new SqliteParameter("$id", 0L));
        _insert = connection.CreateCommand();
        _insert.CommandText = $"INSERT INTO {day.SearchSql} (rowid, args, kwargs, result) VALUES ($id, $args, $kwargs, $result)";
        foreach (var name in (string[])["$id", "$args", "$kwargs", "$result"])
        {
            _insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
    }

    public void Write(SortedDictionary<long, SearchEntry> entries, SqliteTransaction transaction)
    {
        _delete.Transaction = transaction;
        foreach (var (id, entry) in entries)
        {
            if (entry.ReplacesIndexed)
            {
                _delete.Parameters[0].Value = id;
                _delete.ExecuteNonQuery();
            }
        }

        _insert.Transaction = transaction;
        foreach (var (id, entry) in entries)
        {
            if (entry.HasText)
            {
                _insert.Parameters[0].Value = id;
                _insert.Parameters[1].Value = (object?)entry.Args ?? DBNull.Value;
                _insert.Parameters[2].Value = (object?)entry.Kwargs ?? DBNull.Value;
                _insert.Parameters[3].Value = (object?)entry.Result ?? DBNull.Value;
                _insert.ExecuteNonQuery();
            }
        }
    }

    public void Dispose()
    {
        _delete.Dispose();
        _insert.Dispose();
    }
}
