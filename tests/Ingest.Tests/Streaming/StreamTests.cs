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
        using var slow = hub.Subscribe(null, null, "a", out _)!;

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
        var a = hub.Subscribe(null, null, "a", out _)!;
        using var b = hub.Subscribe("x", null, "b", out _)!;

        Assert.Null(hub.Subscribe(null, null, "c", out var refusal));
        Assert.Equal(StreamHub.Refusal.Full, refusal);
        a.Dispose();
        using var c = hub.Subscribe(null, TaskStates.Failure, "c", out _);
        Assert.NotNull(c);
    }

    [Fact]
    public void OneOwner_HoldsAtMostItsShare_OthersStillGetIn()
    {
        var hub = new StreamHub(maxClients: 32, bufferPerClient: 3, maxPerOwner: 4);
        var held = Enumerable.Range(0, 4).Select(i => hub.Subscribe(null, null, "user:greedy", out _)).ToList();

        Assert.All(held, Assert.NotNull);
        Assert.Null(hub.Subscribe(null, null, "user:greedy", out var refusal));
        Assert.Equal(StreamHub.Refusal.OwnerFull, refusal);
        using var other = hub.Subscribe(null, null, "user:sre", out _);
        Assert.NotNull(other);
        held[0]!.Dispose();
        using var again = hub.Subscribe(null, null, "user:greedy", out _);
        Assert.NotNull(again);
    }

    /// <summary>Issue 15: one client opening many streams is told 429 on the fifth, and every stream ends after 30 minutes.</summary>
    [Fact]
    public async Task ApiStream_FifthStreamOfOneClientIs429_AndAStreamEndsAfterItsLifetime()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var time = (Microsoft.Extensions.Time.Testing.FakeTimeProvider)factory.Services.GetService(typeof(TimeProvider))!;
        using var deadline = new CancellationTokenSource(Wait.Default);
        var open = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var response = await client.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
                Assert.Equal("stats", (await NextEventAsync(reader, deadline.Token)).Name);
                open.Add((response, reader));
            }

            using var fifth = await client.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, fifth.StatusCode);
            Assert.Contains("4 live streams", await fifth.Content.ReadAsStringAsync(deadline.Token), StringComparison.Ordinal);

            time.Advance(Ingest.Endpoints.StreamApi.MaxLifetime);
            foreach (var (_, reader) in open)
            {
                var (name, data) = await NextEventAsync(reader, deadline.Token, skip: "stats");
                Assert.Equal("end", name);
                Assert.Contains("reconnect", data, StringComparison.Ordinal);
                Assert.Null(await reader.ReadLineAsync(deadline.Token)); // closed by the server
            }
        }
        finally
        {
            foreach (var (response, reader) in open)
            {
                reader.Dispose();
                response.Dispose();
            }
        }
    }

    [Fact]
    public void Filters_DeliverOnlyMatchingInvocations()
    {
        var hub = new StreamHub();
        using var failures = hub.Subscribe(null, TaskStates.Failure, "a", out _)!;

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

    private static async Task<(string Name, string? Data)> NextEventAsync(StreamReader reader, CancellationToken cancellationToken, string? skip = null)
    {
        while (true)
        {
            var next = await NextAnyEventAsync(reader, cancellationToken);
            if (next.Name != skip)
            {
                return next;
            }
        }
    }

    private static async Task<(string Name, string? Data)> NextAnyEventAsync(StreamReader reader, CancellationToken cancellationToken)
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
            else if (line.Length == 0)
            {
                data = null;
            }
        }

        throw new EndOfStreamException("the stream ended");
    }
}
