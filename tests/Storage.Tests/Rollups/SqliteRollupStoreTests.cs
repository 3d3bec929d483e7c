using Ingest.Storage.Rollups;
using Ingest.Storage.Writing;

namespace Ingest.Storage.Tests.Rollups;

/// <summary>The rollup contract on SQLite: the writer's upserts add each batch's deltas, the two readers read them.</summary>
public sealed class SqliteRollupStoreTests : RollupStoreContract
{
    private readonly TempDirectory _dir = new();
    private readonly InvocationWriter _writer;
    private readonly RollupReader _rollups;
    private readonly RollupRankReader _ranks;

    public SqliteRollupStoreTests()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("rollups.db") };
        _writer = new InvocationWriter(options, Clock);
        _rollups = new RollupReader(options);
        _ranks = new RollupRankReader(options);
    }

    protected override IRollupStore Rollups => _rollups;

    protected override IRollupRanks Ranks => _ranks;

    protected override void Write(params InvocationRecord[] batch) => _writer.WriteBatch(batch);

    protected override void WriteSamples(params QueueSample[] samples) => _writer.WriteQueueSamples(samples);

    public override void Dispose()
    {
        _writer.Dispose();
        _dir.Dispose();
    }
}
