using Ingest.Storage;

namespace Ingest.Pipeline;

/// <summary>Where the tracker sends invocations to be stored (the pipeline's channel).</summary>
public interface IInvocationSink
{
    /// <summary>
    /// Hands a record on and returns its sequence number (1, 2, ... in the order written). Never blocks: a full
    /// channel drops its oldest record and counts it.
    /// </summary>
    long Write(InvocationRecord record);
}
