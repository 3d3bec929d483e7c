using Ingest.Sources.Queues;
using Ingest.Storage.Rollups;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>
/// <c>/api/queues</c>: the broker's queues as sampled (issue 16): each queue's latest length and consumers, and
/// its length over the range in buckets (largest and mean reading per bucket), from the stored samples.
/// </summary>
public static class QueuesApi
{
    /// <summary>Points per queue a range is cut into, at most (fewer when the sampling interval is coarser).</summary>
    public const int TargetPoints = 240;

    private static readonly long[] s_buckets = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

    public static IEndpointRouteBuilder MapQueuesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/queues", List).Takes("since", "until", "queue").Admitted();
        return app;
    }

    public static Results<Ok<QueueListView>, BadRequest<ErrorView>> List(
        QueueLengths lengths, IRollupStore rollups, TimeProvider time, string? since = null, string? until = null, string? queue = null)
    {
        var now = ApiTime.Now(time);
        if (!ApiTime.TryParse(since, now, out var sinceAt) || !ApiTime.TryParse(until, now, out var untilAt))
        {
            return TypedResults.BadRequest(new ErrorView(ApiTime.RangeError));
        }

        var to = untilAt ?? now;
        var from = sinceAt ?? to - (6 * 3600);
        if (from >= to)
        {
            return TypedResults.BadRequest(new ErrorView("since must be before until"));
        }

        if (to - from > 31 * 86400)
        {
            return TypedResults.BadRequest(new ErrorView("a queue range is at most 31 days"));
        }

        var bucket = BucketFor(to - from, lengths.Interval);
        var name = string.IsNullOrEmpty(queue) ? null : queue;
        var points = rollups.QueueLengths(from, to, bucket, name);
        var latest = lengths.Latest().Where(l => name is null || l.Queue == name).ToDictionary(l => l.Queue, l => l.Reading, StringComparer.Ordinal);
        var queues = points.Select(p => p.Queue).Concat(latest.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(q =>
            {
                var series = points.Where(p => p.Queue == q).ToList();
                latest.TryGetValue(q, out var reading);
                var known = latest.ContainsKey(q);
                return new QueueView(
                    q,
                    known ? reading.Length : null,
                    known ? reading.Consumers : null,
                    known ? reading.Exists : null,
                    known ? ApiTime.Format(reading.At) : null,
                    series.Count > 0 ? series.Max(p => p.Max) : null,
                    [.. series.Select(p => new QueuePointView(ApiTime.Format(p.Bucket)!, p.Max, Math.Round(p.Mean, 1), p.Consumers))]);
            })
            .ToList();
        return TypedResults.Ok(new QueueListView(ApiTime.Format(now)!, ApiTime.Format(from)!, ApiTime.Format(to)!, bucket, lengths.Describe(), queues));
    }

    /// <summary>The smallest round bucket that is at least one sampling interval and cuts the range into at most <see cref="TargetPoints"/>.</summary>
    internal static long BucketFor(double rangeSeconds, TimeSpan interval)
    {
        var least = Math.Max(interval.TotalSeconds, rangeSeconds / TargetPoints);
        foreach (var b in s_buckets)
        {
            if (b >= least)
            {
                return b;
            }
        }

        return (long)Math.Ceiling(least / 86400) * 86400;
    }
}
