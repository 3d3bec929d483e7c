using BenchmarkDotNet.Attributes;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// Ingest's flush path (prepared upsert with RETURNING, details keyed by rowid, one transaction per batch)
/// against the raw prepared insert loop of the same rows. Each iteration writes 20,000 rows into a day that
/// already holds 200,000, on a fresh copy of the file. The Ratio column is the figure to quote.
/// </summary>
[MemoryDiagnoser]
public class FlushBenchmarks
{
    private const int Rows = 20_000;
    private const int Preloaded = 200_000;
    private static readonly DayPartition s_day = new(new DateOnly(2026, 11, 22));

    private string _template = "";
    private string _path = "";
    private List<List<InvocationRecord>> _batches = [];
    private RawInsertLoop? _raw;
    private InvocationWriter? _writer;

    [Params(500, 2000, 5000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ingest-bench");
        Directory.CreateDirectory(dir);
        _template = Path.Combine(dir, "template.db");
        if (!File.Exists(_template))
        {
            using var seed = new InvocationWriter(new StorageOptions { DatabasePath = _template });
            var rows = SampleInvocations.Generate(Preloaded, s_day.StartUnixSeconds + 100, seed: 1, prefix: "seed");
            foreach (var chunk in rows.Chunk(5000))
            {
                seed.WriteBatch(chunk);
            }

            seed.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        _path = Path.Combine(dir, "run.db");
        _batches = SampleInvocations.Generate(Rows, s_day.StartUnixSeconds + 1000, seed: 2).Chunk(BatchSize).Select(c => c.ToList()).ToList();
    }

    [IterationSetup(Target = nameof(RawInsertLoop))]
    public void SetupRaw()
    {
        Fresh();
        _raw = new RawInsertLoop(_path, s_day);
    }

    [IterationSetup(Target = nameof(IngestFlush))]
    public void SetupIngest()
    {
        Fresh();
        _writer = new InvocationWriter(new StorageOptions { DatabasePath = _path });
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _raw = null;
        _writer?.Dispose();
        _writer = null;
        SqliteConnection.ClearAllPools();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public void RawInsertLoop()
    {
        foreach (var batch in _batches)
        {
            _raw!.WriteBatch(batch);
        }
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public void IngestFlush()
    {
        foreach (var batch in _batches)
        {
            _writer!.WriteBatch(batch);
        }
    }

    private void Fresh()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }

        File.Copy(_template, _path);
    }
}
