using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Accounting;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Endpoints.Flower;

/// <summary>
/// Issue 27: the request examples of Flower 2.1's API reference (its handlers' docstrings, which docs/api.rst renders),
/// sent to Ingest under /flower by a controller, answer with Flower's status and JSON shape.
/// </summary>
public sealed class FlowerApiExamplesTests(ControlHostFixture host) : IClassFixture<ControlHostFixture>
{
    private const string FormType = "application/x-www-form-urlencoded";

    /// <summary>Each example: the request line, its form body if any, and the message Flower documents.</summary>
    public static TheoryData<string, string?, string> ControlExamples => new()
    {
        { "/api/worker/shutdown/celery@worker2", null, "Shutting down!" },
        { "/api/worker/pool/restart/celery@worker2", null, "Restarting 'celery@worker2' worker's pool" },
        { "/api/worker/pool/grow/celery@worker2?n=3", null, "Growing 'celery@worker2' worker's pool by 3" },
        { "/api/worker/pool/shrink/celery@worker2", null, "Shrinking 'celery@worker2' worker's pool by 1" },
        { "/api/worker/pool/autoscale/celery@worker2?min=3&max=10", null, "Autoscaling 'celery@worker2' worker (min=3, max=10)" },
        { "/api/worker/queue/add-consumer/celery@worker2?queue=sample-queue", null, "add consumer sample-queue" },
        { "/api/worker/queue/cancel-consumer/celery@worker2?queue=sample-queue", null, "no longer consuming from sample-queue" },
        { "/api/task/revoke/1480b55c-b8b2-462c-985e-24af3e9158f9?terminate=true", null, "Revoked '1480b55c-b8b2-462c-985e-24af3e9158f9'" },
        { "/api/task/timeout/tasks.sleep", "soft=30&hard=100&workername=celery%40worker1", "time limits set successfully" },
        { "/api/task/rate-limit/tasks.sleep", "ratelimit=200&workername=celery%40worker1", "new rate limit set successfully" },
    };

    [Theory]
    [MemberData(nameof(ControlExamples))]
    public async Task ControlExample_AsFlowerDocumentsIt_Answers200WithFlowersMessage_Issue27(string path, string? form, string message)
    {
        using var client = host.As(ControlHostFixture.Controller);
        using var content = new StringContent(form ?? "", Encoding.UTF8, FormType);

        using var response = await client.PostAsync("/flower" + path, content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(message, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task TimeoutExample_FormBody_ReachesTheWorkerAsCeleryTimeLimit_Issue27()
    {
        using var client = host.As(ControlHostFixture.Controller);
        using var content = new StringContent("soft=30&hard=100&workername=celery%40worker1", Encoding.UTF8, FormType);

        (await client.PostAsync("/flower/api/task/timeout/tasks.sleep", content)).EnsureSuccessStatusCode();

        var request = host.Fleet.Requests.Last(r => r.Command == "time_limit");
        Assert.Equal(["celery@worker1"], request.Destination);
        Assert.Equal(("tasks.sleep", 30d, 100d), ((string)request.Arguments["task_name"]!, (double)request.Arguments["soft"]!, (double)request.Arguments["hard"]!));
    }

    [Theory]
    [InlineData("/flower/api/task/async-apply/tasks.add")]
    [InlineData("/flower/api/task/send-task/tasks.add")]
    public async Task SendExample_ArgsInAJsonBody_AnswersTaskIdAndPending_Issue27(string path)
    {
        using var client = host.As(ControlHostFixture.Controller);

        using var response = await client.PostAsync(path, new StringContent("""{"args": [1, 2]}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("PENDING", body.GetProperty("state").GetString());
        var sent = host.Publisher.Published.Single(m => m.Id == body.GetProperty("task-id").GetString());
        Assert.Equal(("tasks.add", "[1,2]", "celery"), (sent.Name, sent.Args.GetRawText().Replace(" ", "", StringComparison.Ordinal), sent.Queue));
    }

    [Fact]
    public async Task UnknownWorker_As404_AndMissingArgument_As400_Issue27()
    {
        using var client = host.As(ControlHostFixture.Controller);

        using var unknown = await client.PostAsync("/flower/api/worker/pool/grow/celery@nowhere", null);
        using var missing = await client.PostAsync("/flower/api/worker/queue/add-consumer/celery@worker1", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task WorkerAnsweringWithAnError_Is403FailedToAsFlowerDoes_AndNamesTheSilentWorker_Issue27()
    {
        using var client = host.As(ControlHostFixture.Controller);
        var reply = host.Fleet.Reply;
        host.Fleet.Reply = (request, worker) => request.Command == "autoscale" ? JsonSerializer.SerializeToElement(new { error = "Autoscaler not enabled" }) : reply(request, worker);
        try
        {
            using var response = await client.PostAsync("/flower/api/worker/pool/autoscale/celery@worker1?min=1&max=2", null);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Failed to autoscale 'celery@worker1' worker: Autoscaler not enabled", body.GetProperty("message").GetString());
        }
        finally
        {
            host.Fleet.Reply = reply;
        }
    }

    [Fact]
    public async Task ReadExamples_AnswerWithFlowersShapes_Issue27()
    {
        var tracker = host.Factory.Services.GetRequiredService<TaskTracker>();
        var now = host.Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        const string id = "91396550-c228-4111-9da4-9d88cfd5ddc6";
        tracker.Apply(new CeleryEvent { Type = CeleryEventType.TaskReceived, Uuid = id, Name = "tasks.add", Args = "[2, 2]", Kwargs = "{}", Hostname = ControlHostFixture.Worker1, Timestamp = now });
        using var client = host.As(ControlHostFixture.Reader);

        var info = await client.GetFromJsonAsync<JsonElement>($"/flower/api/task/info/{id}");
        var tasks = await client.GetFromJsonAsync<JsonElement>("/flower/api/tasks?limit=10&taskname=tasks.add");
        var types = await client.GetFromJsonAsync<JsonElement>("/flower/api/task/types");
        var queues = await client.GetFromJsonAsync<JsonElement>("/flower/api/queues/length");
        var status = await client.GetFromJsonAsync<JsonElement>("/flower/api/workers?status=true");
        var workers = await client.GetFromJsonAsync<JsonElement>("/flower/api/workers?refresh=1");

        Assert.Equal((id, "tasks.add", "RECEIVED", "celery@worker1", "[2, 2]"),
            (info.GetProperty("task-id").GetString(), info.GetProperty("name").GetString(), info.GetProperty("state").GetString(), info.GetProperty("worker").GetString(), info.GetProperty("args").GetString()));
        foreach (var key in new[] { "received", "started", "succeeded", "failed", "runtime", "retries", "exception", "traceback", "result", "timestamp" })
        {
            Assert.True(info.TryGetProperty(key, out _), key);
        }

        Assert.Equal(id, tasks.GetProperty(id).GetProperty("uuid").GetString());
        Assert.Contains("tasks.add", types.GetProperty("task-types").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(JsonValueKind.Array, queues.GetProperty("active_queues").ValueKind);
        Assert.True(status.GetProperty(ControlHostFixture.Worker1).GetBoolean());
        foreach (var key in new[] { "stats", "active_queues", "registered", "active", "reserved", "scheduled", "revoked", "conf", "timestamp" })
        {
            Assert.True(workers.GetProperty(ControlHostFixture.Worker2).TryGetProperty(key, out _), key);
        }
    }

    [Fact]
    public async Task Reads_WithoutACredential_Are401_Issue27()
    {
        using var client = host.Anonymous();

        using var response = await client.GetAsync("/flower/api/tasks");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
