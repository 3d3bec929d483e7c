using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Endpoints;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>Issue 25: Flower users type qualifiers in the search box.</summary>
public class SearchQualifiersTests
{
    [Fact]
    public void TryParse_QualifiersAndValues_FiltersAndTheRestAsText()
    {
        Assert.True(SearchQualifiers.TryParse("state:FAILURE  Name:shop.charge args:12345 order_id:7 worker:w1@h", out var parsed, out var error), error);

        Assert.Equal("FAILURE", parsed.Filters["state"]);
        Assert.Equal("shop.charge", parsed.Filters["name"]);
        Assert.Equal("w1@h", parsed.Filters["worker"]);
        Assert.Equal("12345 order_id:7", parsed.Text);
    }

    [Theory]
    [InlineData("state:", "needs a value")]
    [InlineData("queue:a queue:b", "given twice")]
    public void TryParse_EmptyOrRepeatedQualifier_Refused(string q, string why)
    {
        Assert.False(SearchQualifiers.TryParse(q, out _, out var error));
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryMerge_ParameterAndQualifierDisagree_Refused()
    {
        Assert.True(SearchQualifiers.TryParse("name:a", out var parsed, out _));

        Assert.False(SearchQualifiers.TryMerge("b", parsed, "name", out _, out var error));
        Assert.True(SearchQualifiers.TryMerge("a", parsed, "name", out var same, out _));
        Assert.Equal("a", same);
        Assert.True(SearchQualifiers.TryMerge(null, parsed, "name", out var fromQ, out _));
        Assert.Equal("a", fromQ);
        Assert.NotNull(error);
    }

    [Fact]
    public async Task Invocations_QualifiedSearch_FiltersByStateAndName_AndSearchesTheRest_Issue25()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var at = Fixtures.CaptureEnd.ToUnixTimeSeconds();
        using var posted = await client.PostAsync("/api/events?wait=durable", new StringContent($$"""
            [{"type": "task-received", "uuid": "q-1", "name": "shop.charge", "args": "(12345,)", "timestamp": {{at}}},
             {"type": "task-failed", "uuid": "q-1", "exception": "ValueError('declined')", "timestamp": {{at + 1}}},
             {"type": "task-received", "uuid": "q-2", "name": "shop.charge", "args": "(12345,)", "timestamp": {{at}}},
             {"type": "task-succeeded", "uuid": "q-2", "runtime": 0.1, "timestamp": {{at + 1}}},
             {"type": "task-received", "uuid": "q-3", "name": "shop.refund", "args": "(12345,)", "timestamp": {{at}}},
             {"type": "task-failed", "uuid": "q-3", "exception": "ValueError('no')", "timestamp": {{at + 1}}}]
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var found = await client.GetFromJsonAsync<JsonElement>($"/api/invocations?since={at - 60}&q={Uri.EscapeDataString("state:failure name:shop.charge args:12345")}");
        using var contradiction = await client.GetAsync($"/api/invocations?name_contains=shop.refund&q={Uri.EscapeDataString("name:shop.charge")}");

        Assert.Equal(["q-1"], found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("task_id").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, contradiction.StatusCode);
    }
}
