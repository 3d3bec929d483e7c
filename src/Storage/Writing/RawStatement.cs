using Microsoft.Data.Sqlite;
using System.Buffers;
using Ingest.Storage.Details;
using SQLitePCL;

namespace Ingest.Storage.Writing;

/// <summary>
/// A statement prepared on the writer's connection handle and bound and stepped without Microsoft.Data.Sqlite's
/// command: no binder object per parameter per execution, no boxed number, no UTF-8 copy of every text on the
/// managed heap (SQLite copies the UTF-16 text itself). Issue 29: those were 2.1 KB of the flush's 3.5 KB per
/// row and the gen0 collections that came with them. For the few statements every row runs; it runs inside
/// whatever transaction the connection has open. Errors throw <see cref="SqliteException"/>, as the commands do,
/// so a full disk is still classified as a storage fault.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    /// <summary>An empty text that is not NULL: binding an empty span would bind a null pointer, which is NULL.</summary>
    private static readonly byte[] s_emptyText = [0];

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _stmt);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Text(int index, string? value)
    {
        var rc = value is null ? raw.sqlite3_bind_null(_stmt, index)
            : value.Length == 0 ? raw.sqlite3_bind_text(_stmt, index, utf8z.FromSpan(s_emptyText))
            : raw.sqlite3_bind_text16(_stmt, index, value.AsSpan());
        Check(rc);
    }

    /// <summary>
    /// A details value as prepared: text, a compressed value's bytes, or a long text held compact, bound as its UTF-8
    /// without a string (SQLite copies each).
    /// </summary>
    public void Detail(int index, object? value)
    {
        switch (value)
        {
            case byte[] bytes:
                Check(raw.sqlite3_bind_blob(_stmt, index, bytes));
                return;
            case CompactText compact:
                Utf8Text(index, compact);
                return;
            default:
                Text(index, (string?)value);
                return;
        }
    }

    /// <summary>
    /// A long text held compact, bound as its UTF-8 from a rented buffer (SQLite copies it). Its own method, with no
    /// lambda: a closure over <c>index</c> in <see cref="Detail"/> was made on every call: the flush allocated 608 B a row against 416 without it.
    /// </summary>
    private void Utf8Text(int index, CompactText compact)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, compact.Utf8Length));
        try
        {
            var length = compact.CopyUtf8To(rented);
            Check(length == 0
                ? raw.sqlite3_bind_text(_stmt, index, utf8z.FromSpan(s_emptyText))
                : raw.sqlite3_bind_text(_stmt, index, rented.AsSpan(0, length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Real(int index, double? value) =>
        Check(value is { } v ? raw.sqlite3_bind_double(_stmt, index, v) : raw.sqlite3_bind_null(_stmt, index));

    public void Integer(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_stmt, index, v) : raw.sqlite3_bind_null(_stmt, index));

    /// <summary>Runs the statement to its end and resets it; returns the rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_stmt);
        try
        {
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db); // before the reset, while the message is the step's
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    public void Dispose() => _stmt.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
