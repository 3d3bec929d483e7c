using System.Buffers;
using System.Text.Json;
using Ingest.Storage.Workers;

namespace Ingest.Storage.ClickHouse;

/// <summary>
/// Worker states (issue 25) in ClickHouse (issue 26): each instance writes the workers it saw, and every instance
/// restores the newest sighting of each hostname, whichever instance made it.
/// </summary>
internal static class ClickHouseWorkerStates
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The rows as JSONEachRow, each state kept whole as JSON text.</summary>
    public static byte[] Rows(IReadOnlyList<WorkerStateRow> rows, string instance, ulong version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var row in rows)
        {
            ClickHouseRows.Line(buffer, w =>
            {
                w.WriteString("hostname", ClickHouseRows.Text(row.Hostname));
                ClickHouseRows.Number(w, "last_seen_at", row.LastSeenAt);
                // Serialized, then escaped again as a string value: the JSON writer's escaping, never SQL.
                w.WriteString("state", ClickHouseRows.Text(JsonSerializer.Serialize(row, s_json)));
                w.WriteString("instance", ClickHouseRows.Text(instance));
                w.WriteNumber("version", version);
            });
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The newest state of each hostname, most recently seen first, at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<WorkerStateRow> Read(ClickHouseClient client, int max)
    {
        var answer = client.Query(
            $"SELECT hostname, argMax(state, last_seen_at) AS s, max(last_seen_at) AS seen FROM {client.Endpoint.Database}.workers " +
            $"GROUP BY hostname ORDER BY seen DESC LIMIT {ClickHouseSql.Number(Math.Max(0, max))} FORMAT JSONEachRow");
        return ClickHouseAnswers.Rows(answer)
            .Select(r => JsonSerializer.Deserialize<WorkerStateRow>(ClickHouseAnswers.Text(r, "s")!, s_json))
            .OfType<WorkerStateRow>()
            .ToList();
    }
}
