namespace Ingest.Storage.Rollups;

/// <summary>
/// One reading of a broker queue: messages waiting at <see cref="At"/> (Unix seconds) and, where the broker says
/// (RabbitMQ), its consumers.
/// </summary>
public readonly record struct QueueSample(string Queue, long At, long Length, int? Consumers);
