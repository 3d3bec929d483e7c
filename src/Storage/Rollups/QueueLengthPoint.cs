namespace Ingest.Storage.Rollups;

/// <summary>One queue's readings in one bucket of a range: largest and mean length, and the last reading's consumers.</summary>
public sealed record QueueLengthPoint(string Queue, long Bucket, long Max, double Mean, int? Consumers, int Samples);
