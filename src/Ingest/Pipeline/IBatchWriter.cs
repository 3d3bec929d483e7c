using Ingest.Storage;

namespace Ingest.Pipeline;

/// <summary>What the flush loop writes through: SQLite in production, a gated wrapper in tests.</summary>
public interface IBatchWriter : IDisposable
{
    /// <summary>Commits a batch in one transaction, all or nothing. Throws on failure.</summary>
    void Write(IReadOnlyList<InvocationRecord> batch);

    /// <summary>
    /// One short maintenance step between batches (partition creation, retention, vacuum). Never runs beside a
    /// write. Returns true if more maintenance is waiting (the loop then runs another step when it is not busy).
    /// </summary>
    bool Maintain(CancellationToken cancellationToken);
}
