using Ingest.Storage;

namespace Ingest.Benchmarks;

/// <summary>Invocations shaped like a real fleet's: saferepr args and kwargs of a few hundred bytes, some failures with tracebacks.</summary>
public static class SampleInvocations
{
    private static readonly string[] s_names = ["shop.tasks.process_order", "shop.tasks.send_receipt", "billing.tasks.charge_card", "search.tasks.reindex_product", "mail.tasks.send_digest"];

    public static List<InvocationRecord> Generate(int count, double start, int seed, string prefix = "t")
    {
        var random = new Random(seed);
        var list = new List<InvocationRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var at = start + (i * 0.0005);
            var failed = random.Next(100) < 7;
            var order = random.Next(10_000, 999_999);
            list.Add(new InvocationRecord
            {
                TaskId = $"{prefix}-{Guid.NewGuid():D}",
                State = failed ? TaskStates.Failure : TaskStates.Success,
                StateAt = at,
                Name = s_names[random.Next(s_names.Length)],
                Worker = $"celery@worker-{random.Next(1, 20)}",
                Queue = "celery",
                SentAt = at - 0.2,
                ReceivedAt = at - 0.15,
                StartedAt = at - 0.1,
                FinishedAt = at,
                RuntimeSeconds = 0.1,
                Args = $"({order}, 'EUR')",
                Kwargs = $"{{'order_id': {order}, 'customer': {{'id': 'c-{random.Next(1000)}', 'tier': 'gold', 'active': True}}, 'items': [{{'sku': 'A-1', 'qty': 2, 'price': 9.5}}, {{'sku': 'B-7', 'qty': 1, 'price': 100.0}}], 'flags': {{'rush': False}}}}",
                Result = failed ? null : $"{{'order_id': {order}, 'status': 'ok', 'total': 119.0}}",
                Exception = failed ? $"ValueError('invalid input for order {order}')" : null,
                Traceback = failed ? $"Traceback (most recent call last):\n  File \"/app/shop/tasks.py\", line 42, in process_order\n    validate(order)\n  File \"/app/shop/validate.py\", line 17, in validate\n    raise ValueError(msg)\nValueError: invalid input for order {order}\n" : null,
                RootId = null,
            });
        }

        return list;
    }
}
