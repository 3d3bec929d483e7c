using System.Globalization;
using Ingest.Storage;
using Ingest.Storage.Writing;

namespace Ingest.Tests.Endpoints;

/// <summary>Invocations made up for the read path's tests, written straight through the storage writer (name caps included).</summary>
internal static class GeneratedRuns
{
    /// <summary>Run <paramref name="i"/> of <paramref name="name"/>, finished at <paramref name="at"/>; failed ones raise one of three exceptions.</summary>
    public static InvocationRecord Run(int i, string name, double at, bool failed, string? args = null) => new()
    {
        TaskId = $"t-{i:D7}",
        Name = name,
        State = failed ? TaskStates.Failure : TaskStates.Success,
        StateAt = at,
        SentAt = at - 3,
        ReceivedAt = at - 2,
        StartedAt = at - 1,
        FinishedAt = at,
        RuntimeSeconds = 0.5 + (i % 100 / 50.0),
        Worker = $"celery@worker-{i % 8}",
        Queue = $"queue-{i % 4}",
        Args = args ?? "()",
        Kwargs = string.Create(CultureInfo.InvariantCulture, $"{{'order_id': {i}}}"),
        Result = failed ? null : "'ok'",
        Exception = failed ? $"Error{i % 3}('declined')" : null,
        Traceback = failed ? "Traceback (most recent call last):\n  File \"shop/tasks.py\", line 1, in run\nError: declined\n" : null,
    };

    /// <summary>Writes <paramref name="runs"/> in batches of 5,000, as the flush loop would.</summary>
    public static void Write(string path, IEnumerable<InvocationRecord> runs, TimeProvider time)
    {
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = path }, time);
        foreach (var batch in runs.Chunk(5000))
        {
            writer.WriteBatch(batch);
        }
    }
}
