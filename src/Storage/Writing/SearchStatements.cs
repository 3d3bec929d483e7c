using Ingest.Storage.Partitions;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Writing;

/// <summary>The prepared delete and insert of one day's full-text index.</summary>
internal sealed class SearchStatements : IDisposable
{
    private readonly SqliteCommand _delete;
    private readonly RawStatement _insert;

    public SearchStatements(SqliteConnection connection, DayPartition day)
    {
        _delete = connection.CreateCommand();
        _delete.CommandText = $"DELETE FROM {day.SearchSql} WHERE rowid = $id";
        _delete.Parameters.Add(new SqliteParameter("$id", 0L));
        // One per new row, so bound raw (issue 29), as the row's insert is.
        _insert = new RawStatement(connection, $"INSERT INTO {day.SearchSql} (rowid, args, kwargs, result) VALUES ($id, $args, $kwargs, $result)");
    }

    public void Write(List<(long Id, SearchEntry Entry)> entries, SqliteTransaction transaction)
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

        foreach (var (id, entry) in entries)
        {
            if (entry.HasText)
            {
                _insert.Integer(1, id);
                _insert.Detail(2, entry.Args);
                _insert.Detail(3, entry.Kwargs);
                _insert.Detail(4, entry.Result);
                _insert.Execute();
            }
        }
    }

    public void Dispose()
    {
        _delete.Dispose();
        _insert.Dispose();
    }
}
