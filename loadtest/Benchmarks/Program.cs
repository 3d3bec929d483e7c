using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using Ingest.Benchmarks;

// `retention` is a report of its own (one long run, not a microbenchmark); everything else is BenchmarkDotNet.
if (args.Length > 0 && args[0] == "retention")
{
    return await RetentionReport.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "indexcost")
{
    return IndexCostReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "fillcurve")
{
    return FillCurveReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "writerfill")
{
    return WriterFillReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "pipeline")
{
    return PipelineRatioReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "clickhouse-scale")
{
    return ClickHouseScaleReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "producer")
{
    return ProducerReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "search")
{
    return SearchReport.Run(args[1..]);
}

var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(FlushBenchmarks).Assembly).Run(args, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
