using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record FacetsView(string From, string To, IReadOnlyList<string> Queues, IReadOnlyList<string> WorkerGroups, IReadOnlyList<string> Names, IReadOnlyList<string> Workers);
