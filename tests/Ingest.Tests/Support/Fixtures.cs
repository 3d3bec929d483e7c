using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Support;

/// <summary>The shared fixtures, found beside the repository (as CI lays them out) or at INGEST_SHARED_DIR.</summary>
public static class Fixtures
{
    /// <summary>A body for <c>POST /api/events</c>, which takes application/json only.</summary>
    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static readonly Lazy<IReadOnlyList<CapturedMessage>> s_messages = new(() => LoadCapture(CapturePath));

    public static string SharedDir => TestPaths.SharedDir;

    public static string CapturePath => Path.Combine(SharedDir, "fixtures", "celery-events", "messages.jsonl");

    /// <summary>The Redis capture (the shared scenarios on a Redis broker), a fixture of this repository.</summary>
    public static string RedisCapturePath => Path.Combine(TestPaths.RepositoryRoot, "tests", "fixtures", "redis-events", "messages.jsonl");

    public static string RedisScenarioMapPath => Path.Combine(TestPaths.RepositoryRoot, "tests", "fixtures", "redis-events", "scenario_map.json");

    public static string ScenarioMapPath => Path.Combine(SharedDir, "fixtures", "celery-events", "scenario_map.json");

    public static string LegacyDbPath => Path.Combine(SharedDir, "fixtures", "phlower-legacy", "legacy-small.db");

    public static IReadOnlyList<CapturedMessage> Messages => s_messages.Value;

    /// <summary>The time of the capture's last event. The capture is dated and only recedes: tests take "now" from here.</summary>
    public static DateTimeOffset CaptureEnd => s_captureEnd.Value;

    private static readonly Lazy<DateTimeOffset> s_captureEnd = new(() =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(AllEvents().Max(e => e.GetProperty("timestamp").GetDouble()) * 1000)));

    /// <summary>A clock set five minutes after the capture's last event: what every test that loads capture-era data runs on.</summary>
    public static FakeTimeProvider Clock() => new(CaptureEnd.AddMinutes(5));

    /// <summary>Every event of the capture, decoded with System.Text.Json's DOM (independently of Ingest's decoder).</summary>
    public static IReadOnlyList<JsonElement> AllEvents() =>
        Messages.SelectMany(m =>
        {
            var root = JsonDocument.Parse(m.Body).RootElement;
            return root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        }).ToList();

    public static IReadOnlyList<CapturedMessage> LoadCapture(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var r = doc.RootElement;
            return new CapturedMessage(
                r.GetProperty("seq").GetInt32(),
                r.GetProperty("routing_key").GetString()!,
                r.GetProperty("body_b64").GetBytesFromBase64(),
                r.GetProperty("properties").GetRawText());
        }).ToList();
}

public sealed record CapturedMessage(int Seq, string RoutingKey, byte[] Body, string PropertiesJson);
