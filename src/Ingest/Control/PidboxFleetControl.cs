using Ingest.Tracking;
using Microsoft.Extensions.Logging;

namespace Ingest.Control;

/// <summary>
/// What both brokers share of Celery's remote control: the ticket, the body, who is expected to answer and how long
/// to listen. A transport only sets up a reply queue bound to <c>reply.{namespace}.pidbox</c> with the ticket as its
/// routing key (kombu binds with the client's oid; a per-command key keeps concurrent commands apart without
/// sorting replies by header), publishes on the fanout <c>{namespace}.pidbox</c>, and feeds the collector.
/// </summary>
public abstract class PidboxFleetControl : IFleetControl, IAsyncDisposable
{
    private readonly WorkerRegistry? _registry;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IAsyncDisposable? _connection;
    private long _droppedReplies;

    /// <summary>A control for <paramref name="options"/>; <paramref name="registry"/> names the workers a broadcast expects.</summary>
    protected PidboxFleetControl(ControlOptions options, WorkerRegistry? registry, TimeProvider time, ILogger logger)
    {
        Options = options;
        _logger = logger;
        _registry = registry;
        Time = time;
    }

    /// <inheritdoc/>
    public bool Available => true;

    /// <summary>The control options.</summary>
    protected ControlOptions Options { get; }

    /// <summary>The clock deadlines and the <c>expires</c> header are read from.</summary>
    protected TimeProvider Time { get; }

    /// <summary>The Lamport clock sent in the <c>clock</c> header.</summary>
    internal PidboxClock Clock { get; } = new();

    /// <inheritdoc/>
    public async Task<ControlResult> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.ExpectReply)
        {
            await CastAsync(PidboxMessage.Body(request, null, Options.ReplyExchange, null), request.Timeout, cancellationToken).ConfigureAwait(false);
            return new ControlResult([], []);
        }

        var ticket = Guid.NewGuid().ToString();
        var named = request.Destination is { Count: > 0 };
        // A broadcast expects the workers Ingest has seen online lately: a worker that went quiet without a
        // worker-offline event (killed, partitioned) is the one an operator needs named.
        var expected = named ? request.Destination! : OnlineWorkers();
        var collector = new ReplyCollector(ticket, expected, named, Options.MaxReplies, Options.MaxReplyBytes);
        var body = PidboxMessage.Body(request, ticket, Options.ReplyExchange, ticket);
        await CallAsync(body, ticket, collector, request.Timeout, cancellationToken).ConfigureAwait(false);
        var result = collector.Result();
        Interlocked.Add(ref _droppedReplies, result.Dropped);
        return result;
    }

    /// <summary>Replies dropped over the caps (or unreadable) since start, over every command: for <c>/metrics</c>.</summary>
    public long DroppedReplies => Interlocked.Read(ref _droppedReplies);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the broker connection.</summary>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        if (_connection is { } c)
        {
            _connection = null;
            await c.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }

    /// <summary>
    /// The broker connection, made by <paramref name="connect"/> on first use and again when <paramref name="isOpen"/>
    /// says the last one died: one at a time, so a burst of commands after an outage opens one connection, not many.
    /// </summary>
    protected async Task<T> ConnectionAsync<T>(Func<CancellationToken, Task<T>> connect, Func<T, bool> isOpen, CancellationToken cancellationToken)
        where T : class, IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(isOpen);
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is T current && isOpen(current))
            {
                return current;
            }

            if (_connection is { } dead)
            {
                _connection = null;
                await dead.DisposeAsync().ConfigureAwait(false);
            }

            var made = await connect(cancellationToken).ConfigureAwait(false);
            _connection = made;
            return made;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Logs why <paramref name="broker"/> did not take a command, and the exception that tells the caller.</summary>
    protected ControlUnavailableException Unreachable(string broker, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        ControlLog.BrokerFailed(_logger, broker, error);
        return new ControlUnavailableException($"{broker} did not take the command: {error.Message}", error);
    }

    /// <summary>Publishes a command no worker replies to.</summary>
    protected abstract Task CastAsync(byte[] body, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Sets up a reply queue bound with <paramref name="ticket"/>, publishes <paramref name="body"/>, offers every
    /// reply to <paramref name="collector"/> until it completes or <paramref name="timeout"/> passes, and removes the
    /// queue. Throws <see cref="ControlUnavailableException"/> when the broker cannot be reached.
    /// </summary>
    internal abstract Task CallAsync(byte[] body, string ticket, ReplyCollector collector, TimeSpan timeout, CancellationToken cancellationToken);

    private List<string> OnlineWorkers() =>
        _registry is null ? [] : [.. _registry.Snapshot().Where(w => w.Status == "online").Select(w => w.Hostname)];
}
