using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Endpoints;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>Issue 27 (Run again): a run is offered again only with its whole args and kwargs, and otherwise says why not.</summary>
public sealed class RerunViewTests
{
    private static InvocationView Run(string? args, string? kwargs, string? name = "shop.tasks.import", string? queue = "imports", bool dropped = false) => new()
    {
        TaskId = "t1", State = "FAILURE", Source = "stored", Name = name, Args = args, Kwargs = kwargs, Queue = queue, DetailsDropped = dropped,
    };

    [Fact]
    public void Of_WholeLiteralArgs_IsPossible_WithTheirJsonAndQueue_Issue27()
    {
        var rerun = RerunView.Of(Run("(42, 'eu')", "{'dry_run': False, 'ids': [1, 2]}"));

        Assert.True(rerun.Possible, rerun.Reason);
        Assert.Null(rerun.Reason);
        Assert.Equal("""[42,"eu"]""", rerun.Args!.ToJsonString());
        Assert.Equal("""{"dry_run":false,"ids":[1,2]}""", rerun.Kwargs!.ToJsonString());
        Assert.Equal("imports", rerun.Queue);
    }

    public static TheoryData<string?, string?, string?, bool, string> NotPossible() => new()
    {
        // saferepr's marks: ", ..." where it stopped, "[...]" past three levels, a string cut and ended in "..."
        { "(1, 2, 3, ...)", "{}", "shop.tasks.import", false, "saferepr" },
        { "([[[...]]],)", "{}", "shop.tasks.import", false, "saferepr" },
        { "('The quick brown fox...',)", "{}", "shop.tasks.import", false, "saferepr" },
        { "()", "{'note': 'The quick brown fox...'}", "shop.tasks.import", false, "saferepr" },
        { "()", "{'password': '***'}", "shop.tasks.import", false, "--redact-keys" },
        { "('" + new string('a', 40) + "…[truncated by ingest: 40000 chars]", "{}", "shop.tasks.import", false, "cut by Ingest" },
        { "(<object object at 0x7f3a2c1b0e70>,)", "{}", "shop.tasks.import", false, "not Python literals" },
        { "()", "{'amount': Decimal('1')}", "shop.tasks.import", false, "kwargs are not Python literals" },
        { "{}", "{}", "shop.tasks.import", false, "not a tuple" },
        { "()", "[]", "shop.tasks.import", false, "not a dict" },
        { null, "{}", "shop.tasks.import", false, "not seen" },
        { "()", "{}", null, false, "name" },
        { "()", "{}", "shop.tasks.import", true, "detail retention" },
    };

    [Theory]
    [MemberData(nameof(NotPossible))]
    public void Of_ArgsThatAreNotTheWholeValue_IsNotPossible_AndSaysWhy_Issue27(string? args, string? kwargs, string? name, bool dropped, string said)
    {
        var rerun = RerunView.Of(Run(args, kwargs, name, dropped: dropped));

        Assert.False(rerun.Possible);
        Assert.Contains(said, rerun.Reason, StringComparison.Ordinal);
        Assert.Null(rerun.Args);
        Assert.Null(rerun.Kwargs);
    }

    [Fact]
    public void Of_NoQueue_SendsByTheTasksOwnRouting_Issue27()
    {
        Assert.Null(RerunView.Of(Run("()", "{}", queue: null)).Queue);
    }

    /// <summary>One invocation carries rerun; a list of runs does not (it would cost a parse per row for a button it never shows).</summary>
    [Fact]
    public async Task GetInvocation_CarriesRerun_AndListsDoNot_Issue27()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var at = Fixtures.CaptureEnd.ToUnixTimeMilliseconds() / 1000.0 - 60;
        var events = new[]
        {
            new Dictionary<string, object?> { ["type"] = "task-sent", ["uuid"] = "r1", ["name"] = "shop.tasks.import", ["hostname"] = "client@a", ["timestamp"] = at, ["args"] = "(42,)", ["kwargs"] = "{'region': 'eu'}", ["queue"] = "imports" },
            new() { ["type"] = "task-succeeded", ["uuid"] = "r1", ["hostname"] = "w1@a", ["timestamp"] = at + 1, ["result"] = "None", ["runtime"] = 1.0 },
        };
        using (var posted = await client.PostAsync("/api/events?wait=durable", Fixtures.Json(JsonSerializer.SerializeToUtf8Bytes(events))))
        {
            posted.EnsureSuccessStatusCode();
        }

        var one = await client.GetFromJsonAsync<JsonElement>("/api/invocations/r1");
        var rerun = one.GetProperty("rerun");
        Assert.True(rerun.GetProperty("possible").GetBoolean());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[42]"), JsonNode.Parse(rerun.GetProperty("args").GetRawText())));
        Assert.Equal("eu", rerun.GetProperty("kwargs").GetProperty("region").GetString());
        Assert.Equal("imports", rerun.GetProperty("queue").GetString());

        var list = await client.GetFromJsonAsync<JsonElement>("/api/invocations?name=shop.tasks.import&since=-7d");
        var row = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.False(row.TryGetProperty("rerun", out _));
    }
}
