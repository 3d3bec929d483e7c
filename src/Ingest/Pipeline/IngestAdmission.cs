namespace Ingest.Pipeline;

/// <summary>
/// Whether a sender that can wait should be asked to: from cached state only, so the check costs a few reads.
/// HTTP senders get 503 with Retry-After instead of an accepted body that would be dropped or fail to commit
/// (issue 12: a full disk answered 202 while every commit failed).
/// </summary>
public sealed class IngestAdmission
{
    /// <summary>How long after a failed commit senders are asked to wait.</summary>
    public static readonly TimeSpan RefuseAfterFailure = TimeSpan.FromSeconds(5);

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

        // Only for a while after each failure: with every sender refused nothing new would be tried, and a disk
        // that has room again would never be seen. After the pause one batch is accepted and tried again.
        if (_loop.SinceLastFailure is { } since && since < RefuseAfterFailure)
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
