using Microsoft.Diagnostics.Runtime;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Analysis;
using Microsoft.Diagnostics.Tracing.Analysis.GC;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// gctool gcs TRACE.nettrace       per-GC generation, pause, promoted bytes, suspension
// gctool heap PID [top]           live objects by type and generation (a snapshot of the process)
if (args[0] == "gcs")
{
    using var source = new EventPipeEventSource(args[1]);
    source.NeedLoadedDotNetRuntimes();
    var gcs = new List<TraceGC>();
    source.AddCallbackOnProcessStart(p => p.AddCallbackOnDotNetRuntimeLoad(rt => rt.GCEnd += (proc, gc) => gcs.Add(gc)));
    source.Process();
    Console.WriteLine("n gen type reason pause_ms suspend_ms promoted_mb gen0_after_mb gen1_after_mb gen2_after_mb");
    foreach (var gc in gcs)
    {
        Console.WriteLine($"{gc.Number} {gc.Generation} {gc.Type} {gc.Reason} {gc.PauseDurationMSec:F1} {gc.SuspendDurationMSec:F2} {gc.PromotedMB:F1} {gc.GenSizeAfterMB(Gens.Gen0):F1} {gc.GenSizeAfterMB(Gens.Gen1):F1} {gc.GenSizeAfterMB(Gens.Gen2):F1}");
    }
    foreach (var g in gcs.GroupBy(g => g.Generation).OrderBy(g => g.Key))
    {
        Console.WriteLine($"# gen{g.Key}: {g.Count()} GCs, pause total {g.Sum(x => x.PauseDurationMSec):F0} ms, mean {g.Average(x => x.PauseDurationMSec):F1} ms, max {g.Max(x => x.PauseDurationMSec):F1} ms, promoted mean {g.Average(x => x.PromotedMB):F1} MB");
    }
    Console.WriteLine($"# all: {gcs.Count} GCs, pause total {gcs.Sum(x => x.PauseDurationMSec):F0} ms");
}
else
{
    var top = args.Length > 2 ? int.Parse(args[2]) : 25;
    using var target = DataTarget.CreateSnapshotAndAttach(int.Parse(args[1]));
    var runtime = target.ClrVersions[0].CreateRuntime();
    var stats = new Dictionary<(string, string), (long Count, long Bytes)>();
    foreach (var seg in runtime.Heap.Segments)
    {
        foreach (var obj in seg.EnumerateObjects())
        {
            if (!obj.IsValid || obj.IsFree) continue;
            var gen = seg.GetGeneration(obj.Address).ToString();
            var key = (gen, obj.Type?.Name ?? "?");
            stats.TryGetValue(key, out var s);
            stats[key] = (s.Count + 1, s.Bytes + (long)obj.Size);
        }
    }
    foreach (var byGen in stats.GroupBy(kv => kv.Key.Item1).OrderBy(g => g.Key))
    {
        Console.WriteLine($"## {byGen.Key}: {byGen.Sum(kv => kv.Value.Count):N0} objects, {byGen.Sum(kv => kv.Value.Bytes) / 1048576.0:F1} MB");
        foreach (var kv in byGen.OrderByDescending(kv => kv.Value.Bytes).Take(top))
            Console.WriteLine($"  {kv.Value.Bytes / 1048576.0,8:F2} MB {kv.Value.Count,10:N0}  {kv.Key.Item2}");
    }
}
