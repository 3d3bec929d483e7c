using System.Net;
using System.Text;
using System.Text.Json;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Endpoints;

/// <summary>
/// The API's edges (issue 12): forged cursors, limits and unknown parameters are refused the same way on every
/// endpoint, and every 4xx says why in JSON.
/// </summary>
public class ApiContractTests
{
    private static string Cursor(string raw) => Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static TheoryData<string, HttpStatusCode, string> Refusals() => new()
    {
        { $"/api/invocations?cursor={Cursor("NaN|x")}", HttpStatusCode.BadRequest, "cursor" },
        { $"/api/invocations?cursor={Cursor("Infinity|x")}", HttpStatusCode.BadRequest, "cursor" },
        { $"/api/invocations?cursor={Cursor("1795376624.5|")}", HttpStatusCode.BadRequest, "cursor" },
        { "/api/invocations?limit=abc", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000" },
        { "/api/invocations?limit=-5", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000" },
        { "/api/in-flight?limit=-5", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000" },
        { "/api/in-flight?limit=100000", HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000" },
        { "/api/invocations?queues=default", HttpStatusCode.BadRequest, "unknown query parameter 'queues'" },
        { "/api/tasks?worker=w1", HttpStatusCode.BadRequest, "unknown query parameter 'worker'" },
        { "/api/tasks?since=2026-11-23&until=2026-11-22", HttpStatusCode.BadRequest, "since must be before until" },
        { "/api/tasks?bucket=5m", HttpStatusCode.BadRequest, "bucket is a whole number" },
        { "/api/failures?worker=w1", HttpStatusCode.BadRequest, "unknown query parameter 'worker'" },
        { "/api/workers?status=online", HttpStatusCode.BadRequest, "unknown query parameter 'status'" },
        { "/api/invocations?since=Infinity", HttpStatusCode.BadRequest, "since and until" },
        { "/api/nothing-here", HttpStatusCode.NotFound, "no such endpoint" },
        { "/api/invocations/x/y", HttpStatusCode.NotFound, "no such endpoint" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Get_BadOrUnknownInput_IsRefusedWithAJsonReason_Issue12(string url, HttpStatusCode status, string reason)
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Issue 16: the API's description at /openapi/v1.json covers every API route and the parameters each one takes.</summary>
    [Fact]
    public async Task OpenApi_DescribesEveryApiRouteWithItsParameters()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = doc.GetProperty("paths");
        var routes = factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(r => r.StartsWith("/api/", StringComparison.Ordinal) && !r.Contains("**", StringComparison.Ordinal))
            .Distinct().ToList();
        Assert.Contains("/api/facets", routes);
        Assert.All(routes, r => Assert.True(paths.TryGetProperty(r, out _), $"{r} is not in the OpenAPI description"));
        var listed = paths.GetProperty("/api/invocations").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "q", "name", "state", "worker", "queue", "exception_type", "since", "until", "limit", "cursor" }, listed);
        Assert.Contains("ErrorView", paths.GetProperty("/api/invocations").GetProperty("get").GetProperty("responses").GetProperty("400").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_AValidCursorAndLimit_PagesAsBefore()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        foreach (var m in Fixtures.Messages)
        {
            using var _ = await client.PostAsync("/api/events", Fixtures.Json(m.Body));
        }

        await Wait.UntilAsync(() => Page(client, "/api/invocations?limit=1000").GetProperty("items").GetArrayLength() >= 20, "twenty tasks to be stored");
        var first = Page(client, "/api/invocations?limit=10");
        var second = Page(client, $"/api/invocations?limit=10&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Equal(10, second.GetProperty("items").GetArrayLength());
        Assert.Empty(first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("task_id").GetString())
            .Intersect(second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("task_id").GetString())));
    }

    private static JsonElement Page(HttpClient client, string url) =>
        JsonDocument.Parse(client.GetStringAsync(url).GetAwaiter().GetResult()).RootElement;
}
