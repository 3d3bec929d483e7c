using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record QueueListView(string GeneratedAt, string From, string To, long BucketS, object Sampling, IReadOnlyList<QueueView> Queues);
