using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>A task's series and verdict, with the range's figures by queue and by worker group (the facet rollup's; days written before it have none).</summary>
public sealed record TaskStatsView(
    string Name, string Bucket, IReadOnlyList<FiguresView> Series, RegressionView Regression,
    IReadOnlyList<BreakdownView> Queues, IReadOnlyList<BreakdownView> WorkerGroups);
