using Ingest.Storage;

namespace Ingest.Pipeline;

/// <summary>What the flush loop writes through: SQLite in production, a gated wrapper in tests.</summary>
public interface IBatchWriter : IDisposable
{
    /// <summary>Commits a batch in one transaction, all or nothing. Throws on failure.</summary>
    void Write(IReadOnlyList<InvocationRecord> batch);

    /// <summary>One short maintenance step between batches (partition creation, retention, vacuum). Never runs beside a write.</summary>
    void Maintain(CancellationToken cancellationToken);
}
