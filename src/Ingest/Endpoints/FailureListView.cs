using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record FailureListView(string Since, string Until, IReadOnlyList<FailureGroupView> Groups);
