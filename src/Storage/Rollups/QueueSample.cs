namespace Ingest.Storage.Rollups;

/// <summary>
/// One reading of a broker queue: messages waiting at <see cref="At"/> (Unix seconds) and, where the broker says
/// (RabbitMQ), its consumers.
/// </summary>
public readonly record struct QueueSample(string Queue, long At, long Length, int? Consumers);

/// <summary>One queue's readings in one bucket of a range: largest and mean length, and the last reading's consumers.</summary>
public sealed record QueueLengthPoint(string Queue, long Bucket, long Max, double Mean, int? Consumers, int Samples);
