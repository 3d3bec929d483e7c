using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>One bucket: its start, the largest and mean length read in it, and the consumers at its last reading.</summary>
public sealed record QueuePointView(string T, long Max, double Mean, int? Consumers);
