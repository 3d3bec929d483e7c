using Ingest.Accounting;
using Ingest.Pipeline;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Ingest.Decoding;
using Ingest.Storage;
using Ingest.Tracking;

namespace Ingest.Benchmarks;

/// <summary>The decoder per message and the tracker per event, over the real capture in shared/fixtures.</summary>
[MemoryDiagnoser]
public class DecodeTrackBenchmarks
{
    private List<byte[]> _bodies = [];
    private List<CeleryEvent> _events = [];
    private CeleryEventDecoder _decoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var capture = Environment.GetEnvironmentVariable("INGEST_CAPTURE") ?? FindCapture();
        _bodies = File.ReadLines(capture).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("body_b64").GetBytesFromBase64()).ToList();
        _decoder = new CeleryEventDecoder(new DecoderOptions(), TimeProvider.System);
        _events = _bodies.SelectMany(b => _decoder.Decode(b).Events).Where(e => e.Type.IsTaskEvent()).ToList();
    }

    [Benchmark(Description = "decode the whole capture (216 messages)")]
    public int DecodePerMessage()
    {
        var n = 0;
        foreach (var body in _bodies)
        {
            n += _decoder.Decode(body).Events.Count;
        }

        return n;
    }

    [Benchmark(Description = "track the whole capture (206 task events)")]
    public int TrackPerEvent()
    {
        var sink = new CountingSink();
        var tracker = new TaskTracker(new TrackerOptions(), sink, new IngestCounters(), TimeProvider.System);
        foreach (var e in _events)
        {
            tracker.Apply(e);
        }

        return sink.Count;
    }

    private static string FindCapture()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.Parent!.FullName, "shared", "fixtures", "celery-events", "messages.jsonl");
    }

    private sealed class CountingSink : IInvocationSink
    {
        public int Count { get; private set; }

        public long Write(InvocationRecord record) => ++Count;
    }
}
