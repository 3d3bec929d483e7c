namespace Ingest.Sources.Queues;

/// <summary>One queue as the broker reports it: <see cref="Length"/> null when the broker has no such queue.</summary>
public readonly record struct QueueReading(string Queue, long? Length, int? Consumers);
