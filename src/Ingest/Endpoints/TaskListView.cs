using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>The task list over one range: its whole-hour bounds, bucket and facets say exactly what the figures cover.</summary>
public sealed record TaskListView(string GeneratedAt, string From, string To, string Bucket, string? Queue, string? WorkerGroup, IReadOnlyList<TaskSummaryView> Tasks);
