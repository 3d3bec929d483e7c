using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Ingest.Accounting;
using Ingest.Decoding;
using Ingest.Pipeline;
using Ingest.Sources;
using Ingest.Sources.Replay;
using Ingest.Storage.Writing;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Benchmarks;

/// <summary>
/// Issue 29's producer, stage by stage, in one thread of this process: a capture read as replay read it before
/// (lines as strings, a JSON document per line), read as it reads it now (bytes), then read and decoded, then read,
/// decoded, tracked and handed to the channel (each record prepared for its write as it enters; the channel is
/// emptied after every message, as the flush loop would). Each pass reports CPU time, bytes allocated, collections and
/// GC pause; a last pass samples allocations by type (the runtime's allocation tick, about one per 100 KB).
/// </summary>
internal static class ProducerReport
{
    public static int Run(string[] args)
    {
        string? capture = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--capture")
            {
                capture = args[++i];
            }
        }

        if (capture is null || !File.Exists(capture))
        {
            Console.Error.WriteLine("producer: usage: producer --capture FILE");
            return 2;
        }

        Console.WriteLine($"capture {capture}; one thread; GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {System.Runtime.GCSettings.LatencyMode}");
        Console.WriteLine("| pass | CPU s | wall s | messages | events (read passes: lines) | allocated MB | B per event (read passes: per line) | gen0/gen1/gen2 | GC pause ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|---:|");
        Pass("read as text (replay before issue 29)", capture, Mode.Text);
        Pass("read as bytes", capture, Mode.Read);
        Pass("read + decode", capture, Mode.Decode);
        Pass("read + decode + track + prepare + channel", capture, Mode.Ingest);
        using var listener = new AllocationListener();
        Pass("the same, sampling allocations (slower)", capture, Mode.Ingest);
        listener.Stop();
        var total = listener.Bytes.Values.Sum();
        Console.WriteLine();
        Console.WriteLine("allocations by type over the last pass (sampled; share of the sampled bytes):");
        Console.WriteLine("| type | MB | share |\n|---|---:|---:|");
        foreach (var (type, bytes) in listener.Bytes.OrderByDescending(p => p.Value).Take(16))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {type} | {bytes / 1e6:N0} | {100.0 * bytes / total:F1} % |"));
        }

        return 0;
    }

    private enum Mode { Text, Read, Decode, Ingest }

    private static void Pass(string label, string capture, Mode mode)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var time = TimeProvider.System;
        var counters = new IngestCounters(time);
        var channel = new InvocationChannel(new PipelineOptions(), counters, time);
        var tracker = new TaskTracker(new TrackerOptions(), channel, counters, time);
        var workers = new WorkerRegistry(new WorkerOptions(), time);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var decoder = new CeleryEventDecoder(new DecoderOptions(), time);
        var ingestor = new EventIngestor(decoder, tracker, workers, counters, NullLogger<EventIngestor>.Instance,
            new CeleryMetrics(services.GetRequiredService<IMeterFactory>(), workers), time: time);
        long messages = 0, events = 0;

        var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        if (mode == Mode.Text)
        {
            foreach (var line in File.ReadLines(capture))
            {
                if (!string.IsNullOrWhiteSpace(line) && CaptureRecord.TryParse(line, out var body, out _, out _))
                {
                    messages++;
                    events++; // a read pass counts lines
                }
            }
        }
        else
        {
            using var stream = new FileStream(capture, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var lines = new CaptureLineSplitter(stream);
            var scratch = new byte[64 * 1024];
            while (lines.MoveNextAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                if (!CaptureRecord.TryParseUtf8(lines.Current, ref scratch, out var length, out var at, out var content))
                {
                    continue;
                }

                messages++;
                var body = scratch.AsSpan(0, length);
                events += mode switch
                {
                    Mode.Decode => decoder.Decode(body, at, content).Events.Count,
                    Mode.Ingest => ingestor.Ingest(body, "replay", 0, at, content).Events.Count,
                    _ => 1, // a read pass counts lines
                };
                while (channel.TryRead(out PreparedWrite _, out _, out _))
                {
                }
            }
        }

        if (mode == Mode.Ingest)
        {
            tracker.FlushAll();
            while (channel.TryRead(out PreparedWrite _, out _, out _))
            {
            }
        }

        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var perEvent = events > 0 ? bytes / (double)events : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {seconds:F1} | {wall.Elapsed.TotalSeconds:F1} | {messages:N0} | {events:N0} | {bytes / 1e6:N0} | {perEvent:N0} | {GC.CollectionCount(0) - gcs.Item1}/{GC.CollectionCount(1) - gcs.Item2}/{GC.CollectionCount(2) - gcs.Item3} | {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:N0} |"));
    }

    /// <summary>The runtime's allocation ticks (event 10, GC keyword at verbose), summed by type.</summary>
    private sealed class AllocationListener : EventListener
    {
        private volatile bool _on = true;

        public ConcurrentDictionary<string, long> Bytes { get; } = new();

        public void Stop() => _on = false;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (!_on || eventData.EventId != 10 || eventData.PayloadNames is not { } names)
            {
                return;
            }

            var type = eventData.Payload![names.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToInt64(eventData.Payload[names.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            Bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
        }
    }
}
