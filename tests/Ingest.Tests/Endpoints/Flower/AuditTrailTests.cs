using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints.Flower;

/// <summary>Issue 27: every control call, refusals included, is on record in /api/audit once flushed, and counted in /metrics.</summary>
public sealed class AuditTrailTests(ControlHostFixture host) : IClassFixture<ControlHostFixture>
{
    [Theory]
    [MemberData(nameof(ControlRoutes.All), MemberType = typeof(ControlRoutes))]
    public async Task ControlRoute_EachCall_IsAuditedWithWhoWhatAndTheOutcome_Issue27(string path, string? json)
    {
        using var controller = host.As(ControlHostFixture.Controller);
        using var reader = host.As(ControlHostFixture.Reader);
        using var anonymous = host.Anonymous();
        var target = Uri.UnescapeDataString(path.Split('?')[0].Split('/')[^1]);

        (await controller.SendAsync(ControlRoutes.Post(path, json))).Dispose();
        (await reader.SendAsync(ControlRoutes.Post(path, json))).Dispose();
        (await anonymous.SendAsync(ControlRoutes.Post(path, json))).Dispose();

        var action = ControlRoutes.ActionOf(path);
        var entries = (await EntriesAsync(reader, target, 3, action)).ToList();
        var done = entries.Single(e => e.GetProperty("outcome").GetString() == "done");
        Assert.Equal(ControlHostFixture.Controller, done.GetProperty("user").GetString());
        Assert.Equal(200, done.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Object, done.GetProperty("arguments").ValueKind);
        var refused = entries.Single(e => e.GetProperty("outcome").GetString() == "refused");
        Assert.Equal((ControlHostFixture.Reader, 403), (refused.GetProperty("user").GetString(), refused.GetProperty("status").GetInt32()));
        var unauthenticated = entries.Single(e => e.GetProperty("outcome").GetString() == "unauthenticated");
        Assert.Equal(JsonValueKind.Null, unauthenticated.GetProperty("user").ValueKind);
    }

    [Fact]
    public async Task Revoke_Audited_KeepsTheArgumentsAndEachWorkersReply_Issue27()
    {
        using var controller = host.As(ControlHostFixture.Controller);
        var id = Guid.NewGuid().ToString();

        using var response = await controller.PostAsync($"/flower/api/task/revoke/{id}?terminate=true&signal=SIGKILL", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["celery@worker1", "celery@worker2"], body.GetProperty("replies").EnumerateObject().Select(p => p.Name));
        var entry = Assert.Single(await EntriesAsync(controller, id, 1));
        Assert.Equal("SIGKILL", entry.GetProperty("arguments").GetProperty("signal").GetString());
        Assert.Equal("done", entry.GetProperty("replies").GetProperty("celery@worker2").GetProperty("ok").GetString());
        Assert.Equal(0, entry.GetProperty("missing").GetArrayLength());
    }

    [Fact]
    public async Task Metrics_CountControlActionsByOutcome_Issue27()
    {
        using var controller = host.As(ControlHostFixture.Controller);
        using var reader = host.As(ControlHostFixture.Reader);

        (await controller.PostAsync("/flower/api/worker/pool/grow/celery@worker1", null)).Dispose();
        (await reader.PostAsync("/flower/api/worker/pool/grow/celery@worker1", null)).Dispose();

        var scrape = "";
        await Wait.UntilAsync(() =>
        {
            scrape = reader.GetStringAsync("/metrics").GetAwaiter().GetResult();
            return scrape.Contains("ingest_control_actions_total{outcome=\"done\"}", StringComparison.Ordinal)
                && scrape.Contains("ingest_control_actions_total{outcome=\"refused\"}", StringComparison.Ordinal);
        }, "the control actions in a scrape");
    }

    /// <summary>The audit entries of a target, once the flush loop has written at least <paramref name="count"/>.</summary>
    private static async Task<List<JsonElement>> EntriesAsync(HttpClient client, string target, int count, string? action = null)
    {
        var entries = new List<JsonElement>();
        await Wait.UntilAsync(() =>
        {
            var page = client.GetFromJsonAsync<JsonElement>("/api/audit?limit=500" + (action is null ? "" : "&action=" + action)).GetAwaiter().GetResult();
            entries = [.. page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("target").GetString() == target)];
            return entries.Count >= count;
        }, $"{count} audit entries for {target}");
        return entries;
    }
}
