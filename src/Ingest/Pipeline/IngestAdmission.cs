namespace Ingest.Pipeline;

/// <summary>
/// Whether a sender that can wait should be asked to: from cached state only, so the check costs a few reads.
/// HTTP senders get 503 with Retry-After instead of an accepted body that would be dropped or fail to commit
/// (issue 12: a full disk answered 202 while every commit failed).
/// </summary>
public sealed class IngestAdmission
{
    private readonly FlushLoopState _loop;
    private readonly InvocationChannel _channel;

    public IngestAdmission(FlushLoopState loop, InvocationChannel channel)
    {
        _loop = loop;
        _channel = channel;
    }

    /// <summary>Null to accept; otherwise why the sender should retry later.</summary>
    public string? RefusalReason()
    {
        if (_loop.Status == FlushLoopStatus.Failed)
        {
            return "the flush loop has died: nothing can be stored until Ingest restarts";
        }

        if (_loop.ConsecutiveFailures > 0)
        {
            return $"commits are failing ({_loop.LastError}); retry when they succeed again";
        }

        if (_channel.Count >= _channel.Capacity / 10 * 9)
        {
            return "the writer's queue is nearly full";
        }

        if (_channel.Budget.ChannelPressed)
        {
            return "the memory budget for invocations waiting to be written is nearly full";
        }

        return null;
    }
}
