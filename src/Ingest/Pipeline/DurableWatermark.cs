namespace Ingest.Pipeline;

/// <summary>
/// How far the tracker's applied events are durable: every event applied up to <see cref="Value"/> is in SQLite,
/// as a committed invocation or in the committed in-flight checkpoint. The AMQP source acknowledges deliveries up
/// to it, and <c>POST /api/events?wait=durable</c> answers once its events are under it (issue 13). Waiters are
/// capped; the flush loop moves it after each commit.
/// </summary>
public sealed class DurableWatermark
{
    /// <summary>Most requests waiting at once; past it a waiter is refused (the sender retries).</summary>
    public const int MaxWaiters = 4096;

    private readonly Lock _gate = new();
    private readonly List<(long Seq, TaskCompletionSource Done)> _waiters = [];
    private long _value;

    public long Value => Volatile.Read(ref _value);

    /// <summary>Set by whoever waits, read by the flush loop: make the applied events durable soon.</summary>
    public bool Requested => Volatile.Read(ref _requested) != 0;

    private int _requested;

    /// <summary>Fired when durability is asked for, so a flush loop waiting for records wakes up.</summary>
    public event Action? RequestedNow;

    public void Request()
    {
        Volatile.Write(ref _requested, 1);
        RequestedNow?.Invoke();
    }

    internal void ClearRequest() => Volatile.Write(ref _requested, 0);

    /// <summary>Completes when <see cref="Value"/> reaches <paramref name="seq"/>; false on timeout or when too many wait.</summary>
    public async Task<bool> WaitAsync(long seq, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (Value >= seq)
            {
                return true;
            }

            if (_waiters.Count >= MaxWaiters)
            {
                return false;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((seq, done));
        }

        Request();
        try
        {
            await done.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    internal void Advance(long value)
    {
        if (value <= Value)
        {
            return;
        }

        Volatile.Write(ref _value, value);
        lock (_gate)
        {
            foreach (var (seq, done) in _waiters)
            {
                if (seq <= value)
                {
                    done.TrySetResult();
                }
            }
        }
    }
}
