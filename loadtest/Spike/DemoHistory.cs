using Ingest.Storage;

namespace Ingest.Spike;

/// <summary>
/// A week of a small fleet's history for screenshots and demos: eight tasks on three queues and three
/// deployments of worker pods, a daily rhythm, lognormal runtimes, a few kinds of failure, a queue that backs up
/// in a busy hour, and one task that regresses in the last hours. Deterministic for a seed.
/// </summary>
public static class DemoHistory
{
    private sealed record TaskKind(string Name, string Queue, string Deployment, double Share, double MedianRuntime, double FailureRate, string[] Exceptions, string ArgsShape);

    private static readonly TaskKind[] s_tasks =
    [
        new("shop.tasks.process_order", "orders", "orders-worker-7f9c8d6b5", 0.30, 0.35, 0.02, ["PaymentDeclined('card declined')", "TimeoutError('payment gateway')"], "order"),
        new("shop.tasks.send_receipt", "mail", "mail-worker-5d4f6c8b9", 0.18, 0.12, 0.005, ["SMTPServerDisconnected('Connection unexpectedly closed')"], "mail"),
        new("billing.tasks.charge_card", "orders", "orders-worker-7f9c8d6b5", 0.12, 0.8, 0.04, ["PaymentDeclined('insufficient funds')", "CardExpired('card expired')"], "charge"),
        new("search.tasks.reindex_product", "default", "default-worker-6b7c9d8f4", 0.15, 1.6, 0.01, ["ConnectionError('search cluster unreachable')"], "product"),
        new("mail.tasks.send_digest", "mail", "mail-worker-5d4f6c8b9", 0.06, 2.5, 0.01, ["SMTPRecipientsRefused('bad address')"], "mail"),
        new("reports.tasks.build_daily", "default", "default-worker-6b7c9d8f4", 0.02, 12, 0.05, ["MemoryError()", "ValueError('empty period')"], "report"),
        new("shop.tasks.sync_inventory", "default", "default-worker-6b7c9d8f4", 0.12, 0.5, 0.01, ["KeyError('sku')"], "product"),
        new("shop.tasks.expire_carts", "default", "default-worker-6b7c9d8f4", 0.05, 0.05, 0.0, [], "none"),
    ];

    private static readonly string[] s_pods = ["x2k4p", "q8w2z", "m3n7r", "t5v9c"];

    /// <summary>The worker node names of the demo fleet (for heartbeats).</summary>
    public static IEnumerable<string> Workers() =>
        s_tasks.Select(t => t.Deployment).Distinct().SelectMany(d => s_pods.Select(p => $"celery@{d}-{p}"));

    /// <summary>
    /// Broker queue readings every minute from <paramref name="start"/> to <paramref name="end"/>, in batches: the
    /// orders queue backs up in the busy hour (as its queue waits do), the others stay near empty with noise.
    /// </summary>
    public static IEnumerable<List<Ingest.Storage.Rollups.QueueSample>> QueueSamples(double start, double end, int seed, int batch = 2000)
    {
        var random = new Random(seed + 1);
        var list = new List<Ingest.Storage.Rollups.QueueSample>(batch);
        for (var at = (long)Math.Ceiling(start / 60) * 60; at < end; at += 60)
        {
            var hourOfDay = (at / 3600.0 % 24 + 24) % 24;
            var load = 0.35 + (0.65 * Math.Max(0, Math.Sin((hourOfDay - 6) / 24 * 2 * Math.PI)));
            // Builds up over the busy hour and drains in the next half hour.
            var backlog = hourOfDay is >= 14 and < 15.5 ? Math.Sin((hourOfDay - 14) / 1.5 * Math.PI) : 0;
            foreach (var (queue, consumers, scale) in new[] { ("orders", 8, 2400.0), ("mail", 8, 40.0), ("default", 8, 300.0) })
            {
                var length = (long)Math.Max(0, (queue == "orders" ? backlog * scale : load * scale * 0.05) * Math.Exp(0.3 * Normal(random)));
                list.Add(new(queue, at, length, consumers));
            }

            if (list.Count >= batch)
            {
                yield return list;
                list = new(batch);
            }
        }

        if (list.Count > 0)
        {
            yield return list;
        }
    }

    /// <summary>Invocations from <paramref name="start"/> to <paramref name="end"/> (Unix seconds), about <paramref name="perMinute"/> a minute on average, in batches.</summary>
    public static IEnumerable<List<InvocationRecord>> Generate(double start, double end, double perMinute, int seed, int batch = 2000)
    {
        var random = new Random(seed);
        var list = new List<InvocationRecord>(batch);
        var at = start;
        var n = 0;
        while (at < end)
        {
            var hourOfDay = (at / 3600 % 24 + 24) % 24;
            // A daily rhythm: quiet at night, busiest mid-afternoon UTC.
            var load = 0.35 + (0.65 * Math.Max(0, Math.Sin((hourOfDay - 6) / 24 * 2 * Math.PI)));
            at += -Math.Log(1 - random.NextDouble()) * 60 / (perMinute * load * 1.6);
            var kind = Pick(random);
            var hoursToEnd = (end - at) / 3600;
            var busyHour = hourOfDay is >= 14 and < 15;
            var regressed = kind.Name == "billing.tasks.charge_card" && hoursToEnd < 3;
            var runtime = kind.MedianRuntime * Math.Exp(0.5 * Normal(random)) * (regressed ? 3.2 : 1);
            var queueWait = (kind.Queue == "orders" && busyHour ? 8 : 0.02) * Math.Exp(0.8 * Normal(random));
            var pickup = 0.004 * Math.Exp(0.7 * Normal(random)) * (kind.Queue == "default" && busyHour ? 400 : 1);
            var failed = random.NextDouble() < kind.FailureRate * (regressed ? 3 : 1);
            var exception = failed && kind.Exceptions.Length > 0 ? kind.Exceptions[random.Next(kind.Exceptions.Length)] : null;
            var finished = at + queueWait + pickup + runtime;
            if (finished >= end)
            {
                break;
            }

            var id = Guid.NewGuid().ToString("D");
            var (args, kwargs) = Arguments(kind.ArgsShape, random);
            list.Add(new InvocationRecord
            {
                TaskId = id,
                State = exception is not null ? TaskStates.Failure : TaskStates.Success,
                StateAt = finished,
                Name = kind.Name,
                Worker = $"celery@{kind.Deployment}-{s_pods[random.Next(s_pods.Length)]}",
                Queue = kind.Queue,
                SentAt = at,
                ReceivedAt = at + queueWait,
                StartedAt = at + queueWait + pickup,
                FinishedAt = finished,
                RuntimeSeconds = runtime,
                Args = args,
                Kwargs = kwargs,
                Result = exception is null ? "{'status': 'ok'}" : null,
                Exception = exception,
                Traceback = exception is null ? null
                    : $"Traceback (most recent call last):\n  File \"/app/{kind.Name.Replace('.', '/')}.py\", line {40 + random.Next(60)}, in run\n    raise {exception}\n{exception.Replace("('", ": ", StringComparison.Ordinal).TrimEnd(')', '\'')}\n",
            });
            if (++n % batch == 0)
            {
                yield return list;
                list = new List<InvocationRecord>(batch);
            }
        }

        if (list.Count > 0)
        {
            yield return list;
        }
    }

    private static TaskKind Pick(Random random)
    {
        var x = random.NextDouble();
        foreach (var t in s_tasks)
        {
            if ((x -= t.Share) <= 0)
            {
                return t;
            }
        }

        return s_tasks[0];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static (string Args, string Kwargs) Arguments(string shape, Random random)
    {
        var order = random.Next(10_000, 99_999);
        return shape switch
        {
            "order" => ($"({order},)", $"{{'order_id': {order}, 'customer_id': 'c-{random.Next(5000)}', 'currency': 'EUR'}}"),
            "charge" => ($"({order}, {random.Next(5, 500)}.00)", $"{{'order_id': {order}, 'card_token': '***'}}"),
            "mail" => ($"('user{random.Next(90_000)}@example.com',)", "{'template': 'receipt'}"),
            "product" => ($"('SKU-{random.Next(1, 4000):D4}',)", "{}"),
            "report" => ("()", $"{{'day': '2026-11-{random.Next(1, 28):D2}'}}"),
            _ => ("()", "{}"),
        };
    }
}
