using Ingest.Accounting;
using Ingest.Sources;
using System.Globalization;
using System.Text;
using CsCheck;
using Ingest.Decoding;
using Ingest.Pipeline;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Pipeline;

/// <summary>
/// Random and hostile field values thrown at the whole pipeline, decoder to SQLite (issue 12): whatever arrives
/// beside them, every well-formed invocation is stored as its events say, nothing is lost uncounted, and the
/// accounting holds.
/// </summary>
public class AdversarialInputTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly double s_t0 = s_now.ToUnixTimeSeconds() - 600;

    private static readonly string[] s_numbers =
    [
        "1e308", "-1e308", "1.7976931348623157e308", "5e-324", "-0.0", "0", "-1", "2147483648", "-2147483649",
        "9223372036854775808", "1e400", "-1e400", "3.5", "1795376624.5", "4102444800",
    ];

    private static readonly string[] s_texts =
    [
        "\"\"", "\"\\ud800\"", "\"\\udfff\\ud800x\"", "\"\\u0000\"", "\"\\uffff\"", "\"🎉 ünïcödé ﷽ \\u202e\"",
        "\"' OR 1=1; DROP TABLE invocations_20261122; --\"", "\"<script>alert(1)</script>\"", "\"\\\"\"",
        "\"" + new string('x', 40_000) + "\"", "\"NaN\"", "\"Infinity\"", "\"order_id\"",
    ];

    private static readonly string[] s_wrongTypes = ["null", "true", "[]", "[1, \"a\", {}]", "{\"a\": [1, {\"b\": null}]}"];

    private static readonly string[] s_fields =
    [
        "timestamp", "name", "args", "kwargs", "result", "exception", "traceback", "hostname", "runtime", "retries",
        "queue", "routing_key", "exchange", "eta", "expires", "signum", "freq", "active", "processed", "loadavg", "pid",
        "utcoffset", "clock", "terminated", "expired", "root_id", "parent_id", "requeue", "sw_ver",
    ];

    private static readonly string[] s_types =
    [
        "\"task-sent\"", "\"task-received\"", "\"task-started\"", "\"task-succeeded\"", "\"task-failed\"", "\"task-retried\"",
        "\"task-revoked\"", "\"task-rejected\"", "\"worker-heartbeat\"", "\"worker-online\"", "\"task-exploded\"",
    ];

    private static readonly Gen<string> s_value = Gen.OneOf([.. s_numbers, .. s_texts, .. s_wrongTypes]);

    /// <summary>An event object whose every field may be hostile; its task id never names a well-formed task.</summary>
    private static readonly Gen<string> s_badEvent = Gen.Select(
        Gen.Frequency((6, Gen.OneOf(s_types)), (1, s_value)),
        Gen.Frequency((6, Gen.Int[0, 15].Select(i => $"\"bad-{i}\"")), (1, Gen.OneOf([.. s_numbers, .. s_wrongTypes, "\"\"", "\"" + new string('u', 300) + "\""]))),
        Gen.Select(Gen.Int[0, s_fields.Length - 1], s_value).Array[0, 14],
        (type, uuid, fields) =>
        {
            var sb = new StringBuilder("{\"type\": ").Append(type).Append(", \"uuid\": ").Append(uuid);
            foreach (var (field, value) in fields)
            {
                sb.Append(", \"").Append(s_fields[field]).Append("\": ").Append(value);
            }

            return sb.Append('}').ToString();
        });

    /// <summary>Bodies that are not valid JSON from some point on; what they hold is hostile only.</summary>
    private static readonly Gen<string> s_brokenBody = Gen.OneOf(
        "[{\"type\": \"task-received\", \"uuid\": \"bad-20\", \"runtime\": NaN}]",
        "[{\"type\": \"task-started\", \"uuid\": \"bad-21\"}, {\"type\": \"task-",
        "{\"type\": \"task-failed\", \"uuid\": \"bad-22\"} trailing",
        "\u00ff\u00fe not json",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "",
        "[]");

    private static readonly Gen<(int Good, string[] Bad, string[] Broken, int Seed, int MaxPerBody)> s_sample = Gen.Select(
        Gen.Int[1, 40], s_badEvent.Array[0, 40], s_brokenBody.Array[0, 4], Gen.Int, Gen.Int[1, 8]);

    [Fact]
    public void Pipeline_HostileFieldValuesBesideWellFormedTasks_StoresEveryWellFormedInvocationAndCountsEverything_Issue12()
    {
        Check.Sample(s_sample, sample => RunSample(sample.Good, sample.Bad, sample.Broken, sample.Seed, sample.MaxPerBody), iter: 40, threads: 1);
    }

    [Fact]
    public void Pipeline_RuntimeOf1e308_IsCountedAndTheTasksAroundItAreStored_Issue12()
    {
        // The probe that found it: one task-succeeded with runtime 1e308 among good tasks failed five commits and
        // dropped its whole batch.
        var hostile = "{\"type\": \"task-succeeded\", \"uuid\": \"bad-p\", \"runtime\": 1e308, \"timestamp\": " + Ts(1) + "}";
        var counters = RunSample(200, [hostile], [], seed: 7, maxPerBody: 5);

        Assert.Equal(1, counters.Repaired(Repair.ValueOutOfRange));
    }

    private static IngestCounters RunSample(int good, string[] bad, string[] broken, int seed, int maxPerBody)
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_now);
        var storage = new StorageOptions { DatabasePath = dir.File("adversarial.db") };
        var options = new PipelineOptions { ChannelCapacity = 10_000, BatchSize = 64, MaxBatchWait = TimeSpan.Zero };
        var h = new PipelineHarness(options, time,
            () => new SqliteBatchWriter(storage, new RetentionOptions(), new StorageStatus(), time, NullLogger.Instance));
        var ingestor = new EventIngestor(new CeleryEventDecoder(new DecoderOptions(), time), h.Tracker,
            new WorkerRegistry(new WorkerOptions(), time), h.Counters, NullLogger<EventIngestor>.Instance);
        try
        {
            h.StartAsync().GetAwaiter().GetResult();
            foreach (var body in Bodies(good, bad, seed, maxPerBody).Concat(broken))
            {
                ingestor.Ingest(Encoding.UTF8.GetBytes(body), "test");
            }
        }
        finally
        {
            h.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var reader = new InvocationReader(storage);
        for (var i = 0; i < good; i++)
        {
            var stored = reader.Get($"good-{i}");
            Assert.True(stored is not null, $"good-{i} was not stored");
            Assert.Equal(TaskStates.Success, stored.State);
            Assert.Equal("shop.tasks.process_order", stored.Name);
            Assert.Equal($"({i},)", stored.Args);
            Assert.Equal($"{{'order_id': {i}}}", stored.Kwargs);
            Assert.Equal(0.25, stored.RuntimeSeconds);
        }

        // Nothing waits after the drain, nothing was dropped, and every record handed on was committed.
        Assert.Equal(0, h.Queued);
        Assert.Equal(0, h.Counters.DroppedTotal);
        Assert.Equal(h.Counters.InvocationsReceived, h.Counters.InvocationsFlushed + h.Counters.DroppedTotal + h.Queued);
        return h.Counters;
    }

    /// <summary>Every element, well-formed and hostile, shuffled into array bodies of 1 to maxPerBody elements.</summary>
    private static IEnumerable<string> Bodies(int good, string[] bad, int seed, int maxPerBody)
    {
        var elements = new List<string>(bad);
        for (var i = 0; i < good; i++)
        {
            var id = $"\"good-{i}\"";
            elements.Add($"{{\"type\": \"task-received\", \"uuid\": {id}, \"name\": \"shop.tasks.process_order\", \"args\": \"({i},)\", \"kwargs\": \"{{'order_id': {i}}}\", \"hostname\": \"w1@h\", \"timestamp\": {Ts(i)}}}");
            elements.Add($"{{\"type\": \"task-started\", \"uuid\": {id}, \"hostname\": \"w1@h\", \"timestamp\": {Ts(i + 0.1)}}}");
            elements.Add($"{{\"type\": \"task-succeeded\", \"uuid\": {id}, \"result\": \"'ok'\", \"runtime\": 0.25, \"hostname\": \"w1@h\", \"timestamp\": {Ts(i + 0.35)}}}");
        }

        var random = new Random(seed);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(elements));
        for (var at = 0; at < elements.Count;)
        {
            var n = Math.Min(random.Next(1, maxPerBody + 1), elements.Count - at);
            yield return "[" + string.Join(", ", elements.Skip(at).Take(n)) + "]";
            at += n;
        }
    }

    private static string Ts(double offset) => (s_t0 + offset).ToString("R", CultureInfo.InvariantCulture);
}
