using System.Net.Http.Headers;
using Ingest.Storage;
using Ingest.Streaming;
using Ingest.Tests.Support;

namespace Ingest.Tests.Streaming;

public sealed class StreamTests
{
    private static InvocationRecord Record(string id, string state = TaskStates.Success, string name = "shop.process_order") =>
        new() { TaskId = id, State = state, StateAt = 1_795_000_000, Name = name };

    [Fact]
    public void SlowClient_LosesItsOldestEntriesAndIsToldHowMany_WhilePublishingNeverWaits()
    {
        var hub = new StreamHub(maxClients: 2, bufferPerClient: 3);
        using var slow = hub.Subscribe(null, null)!;

        hub.Publish([.. Enumerable.Range(0, 10).Select(i => Record($"t{i}"))]);

        var kept = new List<string>();
        while (slow.Reader.TryRead(out var r))
        {
            kept.Add(r.TaskId);
        }

        Assert.Equal(["t7", "t8", "t9"], kept);
        Assert.Equal(7, slow.TakeDropped());
        Assert.Equal(0, slow.TakeDropped());
    }

    [Fact]
    public void Clients_BeyondTheCapAreRefused_AndALeavingClientFreesItsPlace()
    {
        var hub = new StreamHub(maxClients: 2, bufferPerClient: 3);
        var a = hub.Subscribe(null, null)!;
        using var b = hub.Subscribe("x", null)!;

        Assert.Null(hub.Subscribe(null, null));
        a.Dispose();
        using var c = hub.Subscribe(null, TaskStates.Failure);
        Assert.NotNull(c);
    }

    [Fact]
    public void Filters_DeliverOnlyMatchingInvocations()
    {
        var hub = new StreamHub();
        using var failures = hub.Subscribe(null, TaskStates.Failure)!;

        hub.Publish([Record("ok"), Record("bad", TaskStates.Failure), Record("other", TaskStates.Failure, "mail.send")]);

        Assert.True(failures.Reader.TryRead(out var first));
        Assert.Equal("bad", first.TaskId);
        Assert.True(failures.Reader.TryRead(out var second));
        Assert.Equal("other", second.TaskId);
        Assert.False(failures.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ApiStream_PushesStatsAndEachStoredInvocationAsServerSentEvents()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream?state=failure");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(Wait.Default);

        Assert.Equal("stats", (await NextEventAsync(reader, deadline.Token)).Name);
        var body = """[{"hostname": "w", "uuid": "ok-1", "name": "a", "timestamp": 1795376624.0, "type": "task-succeeded", "runtime": 1}, {"hostname": "w", "uuid": "bad-1", "name": "a", "timestamp": 1795376624.0, "type": "task-failed", "exception": "KeyError('x')"}]""";
        using var posted = await client.PostAsync("/api/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), deadline.Token);

        string? data = null;
        while (data is null)
        {
            var (name, payload) = await NextEventAsync(reader, deadline.Token);
            data = name == "invocation" ? payload : null;
        }

        Assert.Contains("\"task_id\":\"bad-1\"", data, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"FAILURE\"", data, StringComparison.Ordinal);
    }

    private static async Task<(string Name, string? Data)> NextEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? name = null;
        string? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && name is not null)
            {
                return (name, data);
            }
        }

        throw new EndOfStreamException("the stream ended");
    }
}
