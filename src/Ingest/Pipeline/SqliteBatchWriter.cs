using Ingest.Diagnostics;
using Ingest.Storage;
using Ingest.Storage.Maintenance;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Logging;

namespace Ingest.Pipeline;

/// <summary>The production <see cref="IBatchWriter"/>: the storage writer and its maintenance steps, on one connection.</summary>
public sealed class SqliteBatchWriter : IBatchWriter
{
    private readonly InvocationWriter _writer;
    private readonly StorageMaintenance _maintenance;
    private readonly ILogger _logger;

    public SqliteBatchWriter(StorageOptions options, TimeProvider time, ILogger logger)
    {
        _writer = new InvocationWriter(options);
        _maintenance = new StorageMaintenance(_writer, time);
        _logger = logger;
    }

    public void Write(IReadOnlyList<InvocationRecord> batch) => _writer.WriteBatch(batch);

    public void Maintain(CancellationToken cancellationToken)
    {
        if (_maintenance.RunStep(cancellationToken) is { } action)
        {
            Log.StorageAction(_logger, action);
        }
    }

    public void Dispose() => _writer.Dispose();
}
