using BenchmarkDotNet.Attributes;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Benchmarks;

/// <summary>
/// Ingest's flush path (insert-first, merging upsert on conflict, hourly rollups, one transaction per batch),
/// with and without the per-day full-text search index, against the raw prepared insert loop of the same rows
/// (no index, no rollups). Each iteration writes 20,000 rows into a day that already holds 200,000, on a fresh
/// copy of the file. The Ratio column is the figure to quote; IngestFlush over IngestFlushWithoutSearch is
/// what the search index costs the flush.
/// </summary>
[MemoryDiagnoser]
public class FlushBenchmarks
{
    private const int Rows = 20_000;
    private const int Preloaded = 200_000;
    private static readonly DayPartition s_day = new(new DateOnly(2026, 11, 22));

    private string _template = "";
    private string _templateWithoutSearch = "";
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
        // Named by schema version: a template left by an older build would measure the old schema.
        _template = Seed(Path.Combine(dir, "template-v2-search.db"), search: true);
        _templateWithoutSearch = Seed(Path.Combine(dir, "template-v2-nosearch.db"), search: false);

        _path = Path.Combine(dir, "run.db");
        _batches = SampleInvocations.Generate(Rows, s_day.StartUnixSeconds + 1000, seed: 2).Chunk(BatchSize).Select(c => c.ToList()).ToList();
    }

    private static string Seed(string path, bool search)
    {
        if (!File.Exists(path))
        {
            using var seed = new InvocationWriter(new StorageOptions { DatabasePath = path, SearchIndex = search });
            var rows = SampleInvocations.Generate(Preloaded, s_day.StartUnixSeconds + 100, seed: 1, prefix: "seed");
            foreach (var chunk in rows.Chunk(5000))
            {
                seed.WriteBatch(chunk);
            }

            seed.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        return path;
    }

    [IterationSetup(Target = nameof(RawInsertLoop))]
    public void SetupRaw()
    {
        Fresh(_templateWithoutSearch);
        _raw = new RawInsertLoop(_path, s_day);
    }

    [IterationSetup(Target = nameof(IngestFlush))]
    public void SetupIngest()
    {
        Fresh(_template);
        _writer = new InvocationWriter(new StorageOptions { DatabasePath = _path });
    }

    [IterationSetup(Target = nameof(IngestFlushWithoutSearch))]
    public void SetupIngestWithoutSearch()
    {
        Fresh(_templateWithoutSearch);
        _writer = new InvocationWriter(new StorageOptions { DatabasePath = _path, SearchIndex = false });
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
    public void IngestFlush() => WriteAll();

    [Benchmark(OperationsPerInvoke = Rows)]
    public void IngestFlushWithoutSearch() => WriteAll();

    private void WriteAll()
    {
        foreach (var batch in _batches)
        {
            _writer!.WriteBatch(batch);
        }
    }

    private void Fresh(string template)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }

        File.Copy(template, _path);
    }
}
