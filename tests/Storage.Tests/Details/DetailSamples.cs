using System.Globalization;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Details;

/// <summary>Records whose details look like a shop's (the spike tool's mix, near enough), and a compression that trains at once.</summary>
internal static class DetailSamples
{
    /// <summary>A small sample, so a test's day trains after a few hundred records.</summary>
    public const long SampleBytes = 48 << 10;

    private static readonly string[] s_tiers = ["gold", "silver", "bronze", "platinum"];

    /// <summary>Kwargs of the i-th order: repeating keys, varying values.</summary>
    public static string Kwargs(int i) => string.Create(CultureInfo.InvariantCulture,
        $"{{'order_id': {100_000 + (i * 7919 % 900_000)}, 'customer': 'cust-{i * 31 % 10_000:D5}', 'tier': '{s_tiers[i % 4]}', 'items': [{i % 13}, {i % 17}, {i % 5}], 'currency': 'EUR', 'notify': {(i % 3 == 0 ? "True" : "False")}}}");

    /// <summary>The i-th record of a day: a success with args, kwargs and a result (a failure every tenth).</summary>
    public static InvocationRecord Record(string prefix, int i, double at)
    {
        var failed = i % 10 == 9;
        return Finished($"{prefix}-{i:D6}", failed ? TaskStates.Failure : TaskStates.Success, at + (i * 0.001), kwargs: Kwargs(i)) with
        {
            Args = string.Create(CultureInfo.InvariantCulture, $"({i}, 'warehouse-{i % 7}')"),
            Result = failed ? null : string.Create(CultureInfo.InvariantCulture, $"{{'status': 'shipped', 'tracking': 'TRK{i * 104_729 % 1_000_000:D6}', 'eta_days': {i % 5}}}"),
        };
    }

    /// <summary>A compression whose trainings run at once on the caller's thread (deterministic), with a small sample.</summary>
    public static Storage.Details.DetailCompression Inline() =>
        new(SampleBytes, dictionaryBytes: 4 << 10, run: a =>
        {
            a();
            return Task.CompletedTask;
        });
}
