using Ingest.Accounting;
using Ingest.Tracking;

namespace Ingest.Tests.Tracking;

/// <summary>
/// The checkpoint row's text, pinned: rows written by one version are restored by the next after an upgrade, so
/// a change to the merge's code must not change what a snapshot says.
/// </summary>
public class TaskMergeSnapshotFormatTests
{
    private static readonly CeleryEvent[] s_midFlight =
    [
        new() { Type = CeleryEventType.TaskSent, Uuid = "t", Timestamp = 1, Name = "shop.charge", Args = "(1,)", Kwargs = "{}", Queue = "orders", RootId = "root", ParentId = "parent", Eta = "2026-11-22T12:00:00+00:00", Expires = "2026-11-23T00:00:00+00:00" },
        new() { Type = CeleryEventType.TaskReceived, Uuid = "t", Timestamp = 2, Hostname = "w1@h" },
        new() { Type = CeleryEventType.TaskStarted, Uuid = "t", Timestamp = 3, Hostname = "w1@h" },
        new() { Type = CeleryEventType.TaskRetried, Uuid = "t", Timestamp = 4, Hostname = "w1@h", Exception = "Retry(in 5s)", Traceback = "Traceback: retry" },
        new() { Type = CeleryEventType.TaskReceived, Uuid = "t", Timestamp = 9, Hostname = "w2@h", Args = "(2,)" },
        new() { Type = CeleryEventType.TaskStarted, Uuid = "t", Timestamp = 10.5, Hostname = "w2@h" },
    ];

    private static readonly CeleryEvent[] s_revoked =
    [
        new() { Type = CeleryEventType.TaskReceived, Uuid = "t", Timestamp = 2, Hostname = "w1@h", Name = "shop.slow" },
        new() { Type = CeleryEventType.TaskRevoked, Uuid = "t", Timestamp = 5, Hostname = "w1@h", Terminated = true, Expired = false, Signum = 15 },
        new() { Type = CeleryEventType.TaskSucceeded, Uuid = "t", Timestamp = 4, Hostname = "w1@h", Result = "'late'", Runtime = 1.25 },
    ];

    private static readonly CeleryEvent[] s_succeeded =
    [
        new() { Type = CeleryEventType.TaskReceived, Uuid = "t", Timestamp = 1, Hostname = "w1@h", Name = "shop.quick" },
        new() { Type = CeleryEventType.TaskStarted, Uuid = "t", Timestamp = 2, Hostname = "w1@h" },
        new() { Type = CeleryEventType.TaskSucceeded, Uuid = "t", Timestamp = 3, Hostname = "w1@h", Result = "'ok'", Runtime = 0.75 },
    ];

    [Theory]
    [InlineData("midflight", @"{""as"":""STARTED"",""aa"":10.5,""ar"":2,""t"":5,""ta"":4,""r"":null,""x"":""Retry(in 5s)"",""tb"":""Traceback: retry"",""n"":[""shop.charge"",1],""a"":[""(2,)"",9],""k"":[""{}"",1],""q"":[""orders"",1],""ro"":[""root"",1],""pa"":[""parent"",1],""et"":[""2026-11-22T12:00:00\u002B00:00"",1],""es"":[""2026-11-23T00:00:00\u002B00:00"",1],""w"":""w2@h"",""wa"":10.5,""se"":1,""re"":9,""st"":10.5,""rr"":[4]}")]
    [InlineData("revoked", @"{""as"":""RECEIVED"",""aa"":2,""ar"":1,""t"":6,""ta"":5,""r"":null,""x"":null,""tb"":null,""te"":true,""ex"":false,""sg"":15,""n"":[""shop.slow"",2],""w"":""w1@h"",""wa"":5,""re"":2}")]
    [InlineData("succeeded", @"{""as"":""STARTED"",""aa"":2,""ar"":2,""t"":3,""ta"":3,""r"":""\u0027ok\u0027"",""rt"":0.75,""x"":null,""tb"":null,""n"":[""shop.quick"",1],""w"":""w1@h"",""wa"":3,""re"":1,""st"":2}")]
    public void Snapshot_KnownMerge_WritesTheSameTextAsBeforeAndReadsItBack(string which, string expected)
    {
        var merge = new TaskMerge("t");
        foreach (var e in which switch { "midflight" => s_midFlight, "revoked" => s_revoked, _ => s_succeeded })
        {
            merge.Apply(e);
        }

        Assert.Equal(expected, Snapshot(merge));
        using var row = System.Text.Json.JsonDocument.Parse(expected);
        Assert.Equal(expected, Snapshot(TaskMerge.ReadSnapshot("t", row.RootElement)));
    }

    private static string Snapshot(TaskMerge merge)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            merge.WriteSnapshot(w);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
