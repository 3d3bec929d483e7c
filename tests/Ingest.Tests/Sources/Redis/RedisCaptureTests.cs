using System.Buffers;
using System.Text.Json;
using Ingest.Decoding;
using Ingest.Sources.Redis;
using Ingest.Storage;
using Ingest.Storage.Reading;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Sources.Redis;

/// <summary>
/// The real thing on Redis (issue 14): the shared scenario mix run by a real Celery 5.2.6 worker on Debian's
/// redis-server, captured off PUB/SUB (tests/fixtures/redis-events, made by its capture/run_redis.sh).
/// </summary>
public class RedisCaptureTests
{
    private static IEnumerable<JsonElement> Lines() =>
        File.ReadLines(Fixtures.RedisCapturePath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement);

    [Fact]
    public void EveryCapturedMessage_UnwrapsFromKombusEnvelopeAndDecodesWithNothingRejected()
    {
        var lines = Lines().ToList();
        var last = lines.Max(l => l.GetProperty("captured_at").GetDouble());
        var decoder = new CeleryEventDecoder(new DecoderOptions(), new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds((long)(last * 1000)).AddMinutes(5)));
        Assert.True(lines.Count > 100, $"{lines.Count} messages");

        foreach (var line in lines)
        {
            var body = new ArrayBufferWriter<byte>();
            Assert.True(KombuEnvelope.TryGetBody(line.GetProperty("envelope_b64").GetBytesFromBase64(), body, out var content, out _, out var error), error);
            Assert.Equal(line.GetProperty("body_b64").GetBytesFromBase64(), body.WrittenSpan.ToArray());
            Assert.Equal(new BodyContent("application/json", "utf-8", null), content);
            var decoded = decoder.Decode(body.WrittenSpan, content: content);
            Assert.Null(decoded.MalformedError);
            Assert.Equal(0, decoded.RejectedTotal);
        }
    }

    [Fact]
    public async Task SameScenariosOverRedisAndRabbitMq_MergeIntoTheSameInvocations()
    {
        using var dir = new TempDirectory();
        var overRedis = dir.File("redis.db");
        var overAmqp = dir.File("amqp.db");
        // Shifted to end now: on a clock behind the capture's date (faketime -1d) its events would otherwise lie in
        // the future, past the 5-minute skew, and be re-dated to their arrival. The comparison is of names,
        // states, retries and args, which the shift leaves alone.
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.RedisCapturePath, "--db", overRedis, "--shift-to-now"]));
        Assert.Equal(0, await TestCli.RunAsync(["replay", Fixtures.CapturePath, "--db", overAmqp, "--shift-to-now"]));
        var redis = ByScenario(overRedis, Fixtures.RedisScenarioMapPath);
        var amqp = ByScenario(overAmqp, Fixtures.ScenarioMapPath);

        Assert.Equal(amqp.Keys.Order(), redis.Keys.Order());
        foreach (var (scenario, invocations) in amqp)
        {
            Assert.True(invocations.SequenceEqual(redis[scenario]), $"{scenario}: over RabbitMQ {string.Join("; ", invocations)}, over Redis {string.Join("; ", redis[scenario])}");
        }
    }

    /// <summary>Per scenario, what users compare: name, state, retries, args, kwargs and exception type of each task.</summary>
    private static Dictionary<string, List<string>> ByScenario(string db, string map)
    {
        var reader = new InvocationReader(new StorageOptions { DatabasePath = db });
        var result = new Dictionary<string, List<string>>();
        foreach (var s in JsonDocument.Parse(File.ReadAllText(map)).RootElement.EnumerateArray())
        {
            result[s.GetProperty("scenario").GetString()!] = [.. s.GetProperty("task_ids").EnumerateArray()
                .Select(id => reader.Get(id.GetString()!))
                .Select(r => r is null ? "(not stored)" : $"{r.Name} {r.State} retries={r.Retries} args={r.Args} kwargs={r.Kwargs} exception={r.ExceptionType}")
                .Order()];
        }

        return result;
    }
}
