using Ingest.Accounting;
using Ingest.Decoding;

namespace Ingest.Sources.Http;

/// <summary>What happened to a posted body: counts of accepted and rejected events, by reason.</summary>
public sealed record EventsResponse(
    int Accepted,
    int Rejected,
    IReadOnlyDictionary<string, int> RejectedByReason,
    IReadOnlyDictionary<string, int> Repaired,
    string? Error)
{
    /// <summary>With <c>wait=durable</c>: true once the events' effects are committed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Durable { get; init; }

    public static EventsResponse Refused(string why) => new(0, 0, new Dictionary<string, int>(), new Dictionary<string, int>(), why);

    public static EventsResponse From(DecodedBody d) => new(
        d.Events.Count,
        d.RejectedTotal,
        Enumerable.Range(0, d.Rejected.Length).Where(i => d.Rejected[i] > 0).ToDictionary(i => ((RejectReason)i).Name(), i => d.Rejected[i]),
        Enumerable.Range(0, d.Repaired.Length).Where(i => d.Repaired[i] > 0).ToDictionary(i => ((Repair)i).Name(), i => d.Repaired[i]),
        d.MalformedError switch
        {
            null => null,
            var error when d.BodyReason is RejectReason.MalformedJson or RejectReason.NestingTooDeep => $"body is not valid JSON: {error}",
            var error => $"body refused ({d.BodyReason?.Name()}): {error}",
        });

    public static EventsResponse Busy(string why) =>
        new(0, 0, new Dictionary<string, int>(), new Dictionary<string, int>(), $"not accepted now, retry after 1 s: {why}");

    public static EventsResponse TooLarge(int limit) =>
        new(0, 1, new Dictionary<string, int> { [RejectReason.TooLarge.Name()] = 1 }, new Dictionary<string, int>(), $"body is over the limit of {limit} bytes");
}
