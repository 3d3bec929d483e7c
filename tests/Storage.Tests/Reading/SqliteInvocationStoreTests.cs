using Ingest.Storage.Reading;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Reading;

/// <summary>The store contract on SQLite: the writer's upsert merges, <see cref="InvocationReader"/> reads.</summary>
public sealed class SqliteInvocationStoreTests : InvocationStoreContract
{
    private readonly TempDirectory _dir = new();
    private readonly InvocationWriter _writer;
    private readonly InvocationReader _reader;

    public SqliteInvocationStoreTests()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("ingest.db") };
        _writer = new InvocationWriter(options, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds((long)Today)));
        _reader = new InvocationReader(options);
    }

    protected override IInvocationStore Store => _reader;

    protected override void Write(params InvocationRecord[] batch) => _writer.WriteBatch(batch);

    public override void Dispose()
    {
        _writer.Dispose();
        _dir.Dispose();
    }
}
