using Ingest.Pipeline;
using Ingest.Storage;

namespace Ingest.Tests.Support;

/// <summary>A sink that keeps what the tracker writes, in order.</summary>
internal sealed class ListSink : IInvocationSink
{
    public List<InvocationRecord> Records { get; } = [];

    public long Write(InvocationRecord record)
    {
        lock (Records)
        {
            Records.Add(record);
            return Records.Count;
        }
    }

    /// <summary>The last record written per task id.</summary>
    public Dictionary<string, InvocationRecord> Latest() => Records.GroupBy(r => r.TaskId).ToDictionary(g => g.Key, g => g.Last());
}
