using System.Globalization;
using Ingest.Insights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

public sealed record RuntimeView(long Count, double? MeanS, double? P50S, double? P95S, double? P99S)
{
    public static RuntimeView? Of(Waits? w) => w is null ? null : new RuntimeView(w.Count, w.Mean, w.P50, w.P95, w.P99);
}
