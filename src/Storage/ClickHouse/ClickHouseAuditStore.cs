using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Ingest.Storage.Audit;
using Ingest.Storage.Partitions;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// The control audit in ClickHouse (issue 26): every instance sharing the store writes its entries to one day-
/// partitioned table, and <c>/api/audit</c> on any of them lists them all, newest first, as the SQLite day tables do.
/// </summary>
public sealed class ClickHouseAuditStore : IAuditStore
{
    private const string Columns = "at, id, user, action, target, arguments, outcome, status, reason, replies, missing";

    private readonly ClickHouseClient _client;

    /// <param name="client">The store (not disposed here).</param>
    public ClickHouseAuditStore(ClickHouseClient client) => _client = client;

    /// <summary>The entries as JSONEachRow rows of <paramref name="instance"/>, each with an id a retried insert repeats.</summary>
    public static byte[] Rows(IReadOnlyList<AuditEntry> entries, string instance)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var e in entries)
        {
            ClickHouseRows.Line(buffer, w =>
            {
                w.WriteString("day", ClickHouseRows.Day(DayPartition.DayOf(e.At)));
                ClickHouseRows.Number(w, "at", e.At);
                w.WriteNumber("id", Id(e, instance));
                w.WriteString("instance", ClickHouseRows.Text(instance));
                ClickHouseRows.String(w, "user", e.User);
                w.WriteString("action", ClickHouseRows.Text(e.Action));
                ClickHouseRows.String(w, "target", e.Target);
                w.WriteString("arguments", ClickHouseRows.Text(e.Arguments));
                w.WriteString("outcome", ClickHouseRows.Text(e.Outcome));
                w.WriteNumber("status", e.Status);
                ClickHouseRows.String(w, "reason", e.Reason);
                ClickHouseRows.String(w, "replies", e.Replies);
                ClickHouseRows.String(w, "missing", e.Missing);
            });
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc/>
    public (IReadOnlyList<AuditRow> Rows, AuditCursor? Next) List(AuditQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, AuditQuery.MaxLimit);
        var sql = new StringBuilder($"SELECT {Columns} FROM {_client.Endpoint.Database}.audit WHERE ");
        sql.Append($"day >= {ClickHouseSql.Date(DayPartition.DayOf(query.Since))} AND day <= {ClickHouseSql.Date(DayPartition.DayOf(query.Until))}");
        sql.Append($" AND at >= {ClickHouseSql.Number(query.Since)} AND at < {ClickHouseSql.Number(query.Until)}");
        if (query.User is not null)
        {
            sql.Append($" AND user = {ClickHouseSql.Quote(query.User)}");
        }

        if (query.Action is not null)
        {
            sql.Append($" AND action = {ClickHouseSql.Quote(query.Action)}");
        }

        if (query.Before is { } before)
        {
            var at = ClickHouseSql.Number(before.At);
            sql.Append($" AND (at < {at} OR (at = {at} AND id < {ClickHouseSql.Number(before.Id)}))");
        }

        // One row per id: an insert retried after a failure wrote its entries twice.
        sql.Append($" ORDER BY at DESC, id DESC LIMIT 1 BY id LIMIT {ClickHouseSql.Number(query.Limit + 1)} FORMAT JSONEachRow");
        var rows = ClickHouseAnswers.Rows(_client.Query(sql.ToString())).Select(r => new AuditRow(
            ClickHouseAnswers.Int64(r, "id"),
            new AuditEntry(
                ClickHouseAnswers.Number(r, "at") ?? 0, ClickHouseAnswers.Text(r, "user"), ClickHouseAnswers.Text(r, "action")!, ClickHouseAnswers.Text(r, "target"),
                ClickHouseAnswers.Text(r, "arguments")!, ClickHouseAnswers.Text(r, "outcome")!, (int)ClickHouseAnswers.Int64(r, "status"),
                ClickHouseAnswers.Text(r, "reason"), ClickHouseAnswers.Text(r, "replies"), ClickHouseAnswers.Text(r, "missing")))).ToList();
        if (rows.Count <= query.Limit)
        {
            return (rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return (rows, new AuditCursor(rows[^1].Entry.At, rows[^1].Id));
    }

    // Positive, so cursors and SQLite's ids look alike; the same entry of the same instance always gets the same id.
    private static long Id(AuditEntry e, string instance)
    {
        var text = string.Join('\u001f', instance, e.At.ToString("R", System.Globalization.CultureInfo.InvariantCulture), e.User, e.Action, e.Target, e.Arguments, e.Outcome, e.Status);
        return BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0) & long.MaxValue;
    }
}
