using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>One task over the range: <c>window</c> covers all of it; <c>series</c> cuts it into buckets.</summary>
public sealed record TaskSummaryView(string Name, FiguresView Window, IReadOnlyList<SeriesPointView> Series, RegressionView Regression);
