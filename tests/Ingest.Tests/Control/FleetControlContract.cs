using System.Diagnostics;
using System.Text.Json;
using Ingest.Control;

namespace Ingest.Tests.Control;

/// <summary>
/// What Celery's remote control must do against real workers (issue 27), the same on every broker: each transport's
/// test class runs these against its own two workers. Deadlines are real (the workers are), waits are on replies.
/// </summary>
public abstract class FleetControlContract(FleetFixture fleet)
{
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(10);

    private readonly ControlCommands _commands = new(new ControlOptions { Namespace = fleet.Namespace, AllowShutdown = false });

    [Fact]
    public async Task Ping_TwoNamedWorkers_BothAnswerPong_Issue27()
    {
        var result = await SendAsync("ping", [], [fleet.First.Hostname, fleet.Second.Hostname], s_generous);

        Assert.Empty(result.Missing);
        Assert.Equal([fleet.First.Hostname, fleet.Second.Hostname], result.Replies.Select(r => r.Worker).Order(StringComparer.Ordinal));
        Assert.All(result.Replies, r => Assert.Equal("pong", r.Body.GetProperty("ok").GetString()));
    }

    [Fact]
    public async Task Ping_DestinationDown_NamedMissingWithinTheDeadline_Issue27()
    {
        var down = "down-" + Guid.NewGuid().ToString("N")[..6] + "@ingest-tests";
        var started = Stopwatch.GetTimestamp();

        var result = await SendAsync("ping", [], [fleet.First.Hostname, down], TimeSpan.FromSeconds(1));

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3), $"took {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal([down], result.Missing);
        Assert.Equal([fleet.First.Hostname], result.Replies.Select(r => r.Worker));
    }

    [Fact]
    public async Task Ping_Broadcast_KnownOnlineWorkerThatIsSilent_NamedMissing_Issue27()
    {
        var gone = "gone-" + Guid.NewGuid().ToString("N")[..6] + "@ingest-tests";
        fleet.SeenOnline(gone);
        fleet.SeenOnline(fleet.First.Hostname);

        var result = await SendAsync("ping", [], null, TimeSpan.FromSeconds(1.5));

        Assert.Contains(gone, result.Missing);
        Assert.DoesNotContain(fleet.First.Hostname, result.Missing);
        Assert.Contains(fleet.First.Hostname, result.Replies.Select(r => r.Worker));
        Assert.Contains(fleet.Second.Hostname, result.Replies.Select(r => r.Worker));
    }

    [Fact]
    public async Task Revoke_TerminateRunningTask_RevokedSetHasItAndItStops_Issue27()
    {
        var worker = fleet.First;
        var id = await worker.SendTaskAsync("celery_app.sleep", "[120]");
        await UntilAsync(async () => Ids(await SendAsync("active", [], [worker.Hostname], s_generous), worker.Hostname).Contains(id), "the 120 s task to be running");

        var revoke = await SendAsync("revoke", new() { ["task_id"] = id, ["terminate"] = true, ["signal"] = "SIGTERM" }, [worker.Hostname], s_generous);

        Assert.Contains(id, Reply(revoke, worker.Hostname).GetProperty("ok").GetString(), StringComparison.Ordinal);
        var revoked = await SendAsync("revoked", [], [worker.Hostname], s_generous);
        Assert.Contains(id, Reply(revoked, worker.Hostname).EnumerateArray().Select(e => e.GetString()));
        await UntilAsync(async () => !Ids(await SendAsync("active", [], [worker.Hostname], s_generous), worker.Hostname).Contains(id), "the revoked task to stop running", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task RateAndTimeLimit_Set_ShowInTheRepliesAndInRegistered_Issue27()
    {
        var worker = fleet.Second;

        var rate = await SendAsync("rate_limit", new() { ["task_name"] = "celery_app.add", ["rate_limit"] = "7/m" }, [worker.Hostname], s_generous);
        var time = await SendAsync("time_limit", new() { ["task_name"] = "celery_app.sleep", ["soft"] = "30", ["hard"] = 60 }, [worker.Hostname], s_generous);

        Assert.Contains("rate limit", Reply(rate, worker.Hostname).GetProperty("ok").GetString(), StringComparison.Ordinal);
        Assert.Contains("time limits", Reply(time, worker.Hostname).GetProperty("ok").GetString(), StringComparison.Ordinal);
        var registered = await SendAsync("registered", new() { ["taskinfoitems"] = new[] { "rate_limit", "soft_time_limit", "time_limit" } }, [worker.Hostname], s_generous);
        var tasks = Reply(registered, worker.Hostname).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("celery_app.add [rate_limit=7/m]", tasks);
        // Sent as JSON 30 and 60, so Python holds ints: celery's registered prints them as it has them.
        Assert.Contains("celery_app.sleep [soft_time_limit=30 time_limit=60]", tasks);
    }

    [Fact]
    public async Task PoolGrowAndShrink_ChangeTheProcessCountStatsReports_Issue27()
    {
        var worker = fleet.Second;
        var before = await ProcessesAsync(worker.Hostname);

        var grow = await SendAsync("pool_grow", new() { ["n"] = 1 }, [worker.Hostname], s_generous);
        Assert.Equal("pool will grow", Reply(grow, worker.Hostname).GetProperty("ok").GetString());
        await UntilAsync(async () => await ProcessesAsync(worker.Hostname) == before + 1, $"stats to report {before + 1} processes");

        var shrink = await SendAsync("pool_shrink", [], [worker.Hostname], s_generous);
        Assert.Equal("pool will shrink", Reply(shrink, worker.Hostname).GetProperty("ok").GetString());
        await UntilAsync(async () => await ProcessesAsync(worker.Hostname) == before, $"stats to report {before} processes again");
    }

    [Fact]
    public async Task AddAndCancelConsumer_ChangeActiveQueues_Issue27()
    {
        var worker = fleet.Second;
        var queue = "ctl.extra." + Guid.NewGuid().ToString("N")[..8];

        var add = await SendAsync("add_consumer", new() { ["queue"] = queue }, [worker.Hostname], s_generous);
        Assert.Equal($"add consumer {queue}", Reply(add, worker.Hostname).GetProperty("ok").GetString());
        await UntilAsync(async () => (await QueuesAsync(worker.Hostname)).Contains(queue), $"active_queues to list {queue}");

        var cancel = await SendAsync("cancel_consumer", new() { ["queue"] = queue }, [worker.Hostname], s_generous);
        Assert.Equal($"no longer consuming from {queue}", Reply(cancel, worker.Hostname).GetProperty("ok").GetString());
        // The worker answers before its consumer has let the queue go (kombu cancels on the next drain): poll, as for add.
        await UntilAsync(async () => !(await QueuesAsync(worker.Hostname)).Contains(queue), $"active_queues to drop {queue}");
        Assert.Contains(worker.Queue, await QueuesAsync(worker.Hostname));
    }

    private async Task<ControlResult> SendAsync(string command, Dictionary<string, object?> arguments, IReadOnlyList<string>? destination, TimeSpan timeout)
    {
        Assert.True(_commands.TryCreate(command, arguments, destination, timeout, out var request, out var error), error);
        return await fleet.Control.SendAsync(request!, CancellationToken.None);
    }

    private async Task<int> ProcessesAsync(string worker) =>
        Reply(await SendAsync("stats", [], [worker], s_generous), worker).GetProperty("pool").GetProperty("processes").GetArrayLength();

    private async Task<List<string?>> QueuesAsync(string worker) =>
        [.. Reply(await SendAsync("active_queues", [], [worker], s_generous), worker).EnumerateArray().Select(q => q.GetProperty("name").GetString())];

    private static JsonElement Reply(ControlResult result, string worker) =>
        result.Replies.FirstOrDefault(r => r.Worker == worker)?.Body
        ?? throw new Xunit.Sdk.XunitException($"{worker} did not answer (missing: {string.Join(", ", result.Missing)})");

    private static List<string?> Ids(ControlResult result, string worker) =>
        [.. Reply(result, worker).EnumerateArray().Select(t => t.GetProperty("id").GetString())];

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > (timeout ?? TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException($"Timed out waiting for {what}");
            }

            // Each round is a command and its reply; the gap only spares the worker a busy loop.
            await Task.Delay(50);
        }
    }
}
