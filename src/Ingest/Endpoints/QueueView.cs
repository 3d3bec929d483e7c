using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>
/// One queue: the latest reading (null when none is recent: sampling off, or the broker out of reach), whether the
/// broker has it, the largest reading in the range, and the range in buckets.
/// </summary>
public sealed record QueueView(
    string Name, long? Length, int? Consumers, bool? Exists, string? SampledAt, long? MaxInRange, IReadOnlyList<QueuePointView> Series);
