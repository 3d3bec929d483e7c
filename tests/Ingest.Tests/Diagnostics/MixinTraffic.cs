using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Celery events shaped as the shared capture's (task-sent from a producer, then the worker's received, started and
/// outcome; worker-online, heartbeats, worker-offline), in rounds, so that every series the celery-mixin reads moves
/// between scrapes. Tasks: <see cref="Flaky"/> fails every other run (the one CeleryTaskHighFailRate must pick),
/// <see cref="Rare"/> fails once in its 40 runs (under the mixin's 5%), <see cref="Ok"/> never fails, and three
/// tasks are retried, revoked and rejected. Worker <see cref="DownHost"/> goes offline in round 1.
/// </summary>
internal static class MixinTraffic
{
    /// <summary>Never fails: its label set has no failure, and still a success ratio.</summary>
    public const string Ok = "mixin.ok";

    /// <summary>Fails every other run.</summary>
    public const string Flaky = "mixin.flaky";

    /// <summary>Fails in 1 of its 40 runs that increase() can see.</summary>
    public const string Rare = "mixin.rare";

    /// <summary>The worker that beats throughout.</summary>
    public const string UpHost = "mixin-up";

    /// <summary>The worker that goes offline in round 1.</summary>
    public const string DownHost = "mixin-down";

    /// <summary>The queue <see cref="Ok"/> and <see cref="Flaky"/> are sent to (the others go to celery's default).</summary>
    public const string WorkQueue = "mixin.work";

    public const int Rounds = 4;

    /// <summary>task-received events in rounds 0..<paramref name="round"/>: what celery_task_received_total sums to after it.</summary>
    public static int ReceivedThrough(int round) => (round + 1) * Runs.Sum(r => r.Count);

    // Per round: (task, queue, runs, outcome of run i in round r).
    private static readonly (string Task, string Queue, int Count, Func<int, int, string> Outcome)[] Runs =
    [
        (Ok, WorkQueue, 4, (_, _) => "task-succeeded"),
        (Flaky, WorkQueue, 4, (_, i) => i % 2 == 0 ? "task-failed" : "task-succeeded"),
        // The first failure creates the failed series (its first sample is increase()'s baseline); the second counts.
        (Rare, "celery", 10, (r, i) => i == 0 && r is 1 or 3 ? "task-failed" : "task-succeeded"),
        ("mixin.retried", "celery", 1, (_, _) => "task-retried"),
        ("mixin.revoked", "celery", 1, (_, _) => "task-revoked"),
        ("mixin.rejected", "celery", 1, (_, _) => "task-rejected"),
    ];

    /// <summary>One round's events, dated now on the test's clock (the child's).</summary>
    public static string Round(int round)
    {
        var now = TestClock.UnixSeconds;
        var events = new List<Dictionary<string, object?>>();
        if (round == 0)
        {
            events.Add(Worker("worker-online", UpHost, now));
            events.Add(Worker("worker-online", DownHost, now));
        }
        else if (round == 1)
        {
            events.Add(Worker("worker-offline", DownHost, now));
        }

        events.Add(Worker("worker-heartbeat", UpHost, now));
        foreach (var (task, queue, count, outcome) in Runs)
        {
            for (var i = 0; i < count; i++)
            {
                var id = $"{task}-{round}-{i}-{Guid.NewGuid():N}";
                var runtime = 0.05 + (0.2 * i);
                events.Add(new() { ["type"] = "task-sent", ["uuid"] = id, ["name"] = task, ["queue"] = queue, ["routing_key"] = queue, ["hostname"] = "gen1@mixin-web", ["timestamp"] = now - 0.5, ["args"] = "(1,)", ["kwargs"] = "{}" });
                events.Add(new() { ["type"] = "task-received", ["uuid"] = id, ["name"] = task, ["hostname"] = "celery@" + UpHost, ["timestamp"] = now - 0.4 });
                events.Add(new() { ["type"] = "task-started", ["uuid"] = id, ["hostname"] = "celery@" + UpHost, ["timestamp"] = now - 0.3 });
                var end = new Dictionary<string, object?> { ["type"] = outcome(round, i), ["uuid"] = id, ["hostname"] = "celery@" + UpHost, ["timestamp"] = now };
                switch (end["type"])
                {
                    case "task-succeeded":
                        end["runtime"] = runtime;
                        end["result"] = "'ok'";
                        break;
                    case "task-failed" or "task-retried":
                        end["exception"] = "ValueError('boom')";
                        end["traceback"] = "Traceback (most recent call last):\nValueError: boom";
                        break;
                    case "task-revoked":
                        end["terminated"] = true;
                        break;
                }

                events.Add(end);
            }
        }

        return JsonSerializer.Serialize(events);
    }

    /// <summary>One heartbeat of the up worker, now.</summary>
    public static string Heartbeat() => JsonSerializer.Serialize(new[] { Worker("worker-heartbeat", UpHost, TestClock.UnixSeconds) });

    private static Dictionary<string, object?> Worker(string type, string host, double now) => new()
    {
        ["type"] = type,
        ["hostname"] = "celery@" + host,
        ["timestamp"] = now,
        ["freq"] = 2.0,
        ["active"] = type == "worker-heartbeat" ? 2 : 0,
        ["processed"] = 10,
        ["sw_ident"] = "py-celery",
        ["sw_ver"] = "5.4.0",
        ["sw_sys"] = "Linux",
        ["pid"] = 4242,
        ["loadavg"] = new[] { 0.1, 0.2, 0.3 },
    };
}
