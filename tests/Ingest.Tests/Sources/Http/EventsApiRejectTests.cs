using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingest.Tests.Sources.Http;

/// <summary>
/// Issue 24: <c>POST /api/events</c> names what it refuses (the counter, the answer, one log line) and the
/// bodies around it are stored as if it had not come.
/// </summary>
public class EventsApiRejectTests
{
    private const int Limit = 64 * 1024;

    public static TheoryData<string, HttpStatusCode> Cases => new()
    {
        { "not_json", HttpStatusCode.UnsupportedMediaType },
        { "unsupported_encoding", HttpStatusCode.UnsupportedMediaType },
        { "decompressed_too_large", HttpStatusCode.RequestEntityTooLarge },
        { "nesting_too_deep", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_UnreadableBody_CountedAndLoggedByName_GoodBodiesAroundItStored_Issue24(string reason, HttpStatusCode status)
    {
        var logs = new LogCapture();
        await using var factory = new IngestFactory { TestServices = s => s.AddSingleton<ILoggerProvider>(logs) }
            .With("Ingest:Decoder:MaxBodyBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = factory.CreateClient();

        using (var before = await client.PostAsync("/api/events", Json(HostileBodies.Received("before", 1795376624.0))))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        using var refused = await client.PostAsync("/api/events", Hostile(reason));
        using var after = await client.PostAsync("/api/events", Json(HostileBodies.Received("after", 1795376625.0)));

        Assert.Equal(status, refused.StatusCode);
        var answer = await refused.Content.ReadFromJsonAsync<JsonElement>();
        if (reason == "not_json")
        {
            Assert.Contains("application/json", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, answer.GetProperty("rejected_by_reason").GetProperty(reason).GetInt32());
        }

        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        var rejected = (await client.GetFromJsonAsync<JsonElement>("/healthz")).GetProperty("events").GetProperty("rejected");
        Assert.Equal(1, rejected.GetProperty(reason).GetInt32());
        Assert.Equal(1, rejected.EnumerateObject().Sum(r => r.Value.GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/invocations/before")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/invocations/after")).StatusCode);
        var line = Assert.Single(logs.WithId(2015));
        Assert.Contains($"as {reason} ", line.Message, StringComparison.Ordinal);
        Assert.Contains("from http", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_GzipBody_IsInflatedAndStored_Issue24()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var content = new ByteArrayContent(HostileBodies.Gzip($"[{HostileBodies.Received("zipped", 1795376624.0)}]"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync("/api/events", content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/invocations/zipped")).StatusCode);
    }

    [Fact]
    public async Task Post_JsonInUtf16_IsUnsupportedEncoding415_Issue24()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/events", new StringContent(HostileBodies.Received("u16", 1795376624.0), Encoding.Unicode, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, answer.GetProperty("rejected_by_reason").GetProperty("unsupported_encoding").GetInt32());
    }

    private static ByteArrayContent Hostile(string reason)
    {
        var good = Encoding.UTF8.GetBytes(HostileBodies.Received("refused", 1795376624.5));
        switch (reason)
        {
            case "not_json":
                return new ByteArrayContent(good) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } };
            case "unsupported_encoding":
                var brotli = Json(good);
                brotli.Headers.ContentEncoding.Add("br");
                return brotli;
            case "decompressed_too_large":
                var bomb = Json(HostileBodies.Bomb(16 * Limit, gzip: true));
                bomb.Headers.ContentEncoding.Add("gzip");
                return bomb;
            default:
                return Json(HostileBodies.NestingBomb(10_000));
        }
    }

    private static ByteArrayContent Json(string json) => Json(Encoding.UTF8.GetBytes(json));

    private static ByteArrayContent Json(byte[] body) => Fixtures.Json(body);
}
