using System.Globalization;
using System.Text;

namespace Ingest.Spike;

/// <summary>
/// Generates Celery's events for tasks the way a fleet publishes them: a task-sent per task from the client, and
/// the worker's received/started/outcome events batched into <c>task.multi</c> arrays. Outcomes: 90% success, 7%
/// failure with a traceback, 2% one retry then success, 1% revoked. Args and kwargs are saferepr text of a few
/// hundred bytes, like a real order-processing task's.
/// </summary>
public sealed class TaskTraffic
{
    private static readonly string[] s_names = ["shop.tasks.process_order", "shop.tasks.send_receipt", "billing.tasks.charge_card", "search.tasks.reindex_product", "mail.tasks.send_digest"];
    private readonly Random _random;
    private readonly int _batch;
    private readonly List<string> _pending = [];
    private long _next;

    private readonly int _argsChars;
    private readonly bool _unfinished;

    /// <param name="seed">Random seed.</param>
    /// <param name="batch">Worker events per task.multi body.</param>
    /// <param name="argsChars">0 for realistic args; otherwise args and kwargs of this many characters each.</param>
    /// <param name="unfinished">Tasks that are received and never finish (the stream that took RSS to 3 GiB in issue 12).</param>
    public TaskTraffic(int seed, int batch, int argsChars = 0, bool unfinished = false)
    {
        _random = new Random(seed);
        _batch = batch;
        _argsChars = argsChars;
        _unfinished = unfinished;
    }

    public long TasksStarted => _next;

    /// <summary>Adds <paramref name="count"/> tasks and returns the bodies to send: task-sent singles and full task.multi batches.</summary>
    public List<(string RoutingKey, string Body)> Tasks(int count, double now)
    {
        var bodies = new List<(string, string)>(count * 2);
        for (var i = 0; i < count; i++)
        {
            var id = $"spike-{Guid.NewGuid():N}";
            var name = s_names[_random.Next(s_names.Length)];
            var order = _random.Next(10_000, 999_999);
            var args = _argsChars > 0 ? new string('a', _argsChars) : $"({order}, 'EUR')";
            var kwargs = _argsChars > 0 ? new string('k', _argsChars) : $"{{'order_id': {order}, 'customer': {{'id': 'c-{_random.Next(1000)}', 'tier': 'gold', 'active': True, 'manager': None}}, 'items': [{{'sku': 'A-1', 'qty': 2, 'price': 9.5}}, {{'sku': 'B-7', 'qty': 1, 'price': 100.0}}], 'flags': {{'rush': False}}}}";
            var t = now - 0.05;
            if (_unfinished)
            {
                bodies.Add(("task.multi", "[" + Obj($"celery@worker-{_random.Next(1, 20)}", t, id, "task-received", $"\"name\": \"{name}\", \"args\": {Q(args)}, \"kwargs\": {Q(kwargs)}, \"retries\": 0") + "]"));
                _next++;
                continue;
            }

            bodies.Add(("task.sent", Obj("gen1@client", t, id, "task-sent", $"\"name\": \"{name}\", \"args\": {Q(args)}, \"kwargs\": {Q(kwargs)}, \"retries\": 0, \"root_id\": \"{id}\", \"parent_id\": null, \"queue\": \"celery\"")));
            var worker = $"celery@worker-{_random.Next(1, 20)}";
            var outcome = _random.Next(100);
            Worker(worker, t + 0.001, id, "task-received", $"\"name\": \"{name}\", \"args\": {Q(args)}, \"kwargs\": {Q(kwargs)}, \"retries\": 0");
            Worker(worker, t + 0.002, id, "task-started", null);
            if (outcome < 90)
            {
                Worker(worker, t + 0.03, id, "task-succeeded", $"\"result\": {Q($"{{'order_id': {order}, 'status': 'ok', 'total': 119.0}}")}, \"runtime\": 0.028");
            }
            else if (outcome < 97)
            {
                var tb = $"Traceback (most recent call last):\n  File \"/app/shop/tasks.py\", line 42, in process_order\n    validate(order)\n  File \"/app/shop/validate.py\", line 17, in validate\n    raise ValueError(msg)\nValueError: invalid input for order {order}\n";
                Worker(worker, t + 0.03, id, "task-failed", $"\"exception\": {Q($"ValueError('invalid input for order {order}')")}, \"traceback\": {Q(tb)}");
            }
            else if (outcome < 99)
            {
                Worker(worker, t + 0.01, id, "task-retried", $"\"exception\": {Q("ConnectionError('upstream down')")}, \"traceback\": {Q("celery.exceptions.Retry: Retry in 1s\n")}");
                Worker(worker, t + 0.02, id, "task-received", $"\"name\": \"{name}\", \"args\": {Q(args)}, \"kwargs\": {Q(kwargs)}, \"retries\": 1");
                Worker(worker, t + 0.021, id, "task-started", null);
                Worker(worker, t + 0.04, id, "task-succeeded", "\"result\": \"None\", \"runtime\": 0.019");
            }
            else
            {
                Worker(worker, t + 0.01, id, "task-revoked", "\"terminated\": false, \"signum\": null, \"expired\": false");
            }

            while (_pending.Count >= _batch)
            {
                bodies.Add(("task.multi", "[" + string.Join(", ", _pending.Take(_batch)) + "]"));
                _pending.RemoveRange(0, _batch);
            }

            _next++;
        }

        return bodies;
    }

    /// <summary>The partial batch left (at the end of a run).</summary>
    public List<(string RoutingKey, string Body)> Flush()
    {
        var rest = _pending.Count == 0 ? [] : new List<(string, string)> { ("task.multi", "[" + string.Join(", ", _pending) + "]") };
        _pending.Clear();
        return rest;
    }

    private void Worker(string host, double ts, string id, string type, string? fields) => _pending.Add(Obj(host, ts, id, type, fields));

    private static string Obj(string host, double ts, string id, string type, string? fields) =>
        $"{{\"hostname\": \"{host}\", \"utcoffset\": 0, \"pid\": 1, \"clock\": 1, \"uuid\": \"{id}\"{(fields is null ? "" : ", " + fields)}, \"timestamp\": {ts.ToString("F6", CultureInfo.InvariantCulture)}, \"type\": \"{type}\"}}";

    private static string Q(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => b.Append("\\\""),
                '\\' => b.Append("\\\\"),
                '\n' => b.Append("\\n"),
                _ => b.Append(c),
            };
        }

        return b.Append('"').ToString();
    }
}
