using System.Threading.Channels;
using Ingest.Storage;

namespace Ingest.Streaming;

/// <summary>
/// Fans committed invocations out to live-stream clients. Each client has its own bounded buffer that drops
/// its oldest entries when the client reads too slowly, and counts what it dropped so the client is told; the
/// flush loop never waits on a client. With no client connected, publishing is one array-length check.
/// </summary>
public sealed class StreamHub
{
    private readonly Lock _gate = new();
    private volatile Subscription[] _subscriptions = [];

    public StreamHub(int maxClients = 32, int bufferPerClient = 1000)
    {
        MaxClients = maxClients;
        BufferPerClient = bufferPerClient;
    }

    public int MaxClients { get; }

    public int BufferPerClient { get; }

    public int Clients => _subscriptions.Length;

    /// <summary>A new client, or null when <see cref="MaxClients"/> are already connected.</summary>
    public Subscription? Subscribe(string? name, string? state)
    {
        lock (_gate)
        {
            if (_subscriptions.Length >= MaxClients)
            {
                return null;
            }

            var subscription = new Subscription(this, name, state, BufferPerClient);
            _subscriptions = [.. _subscriptions, subscription];
            return subscription;
        }
    }

    /// <summary>Called by the flush loop after a commit: only what is stored is streamed.</summary>
    public void Publish(IReadOnlyList<InvocationRecord> committed)
    {
        var subscriptions = _subscriptions;
        if (subscriptions.Length == 0)
        {
            return;
        }

        foreach (var s in subscriptions)
        {
            foreach (var record in committed)
            {
                s.Offer(record);
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
        }
    }

    /// <summary>One client's filter and bounded buffer.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly StreamHub _hub;
        private readonly string? _name;
        private readonly string? _state;
        private readonly Channel<InvocationRecord> _buffer;
        private long _dropped;

        internal Subscription(StreamHub hub, string? name, string? state, int capacity)
        {
            _hub = hub;
            _name = name;
            _state = state;
            _buffer = Channel.CreateBounded<InvocationRecord>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<InvocationRecord> Reader => _buffer.Reader;

        /// <summary>Dropped for this client since the last call (and resets the count).</summary>
        public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

        internal void Offer(InvocationRecord record)
        {
            if ((_name is null || string.Equals(record.Name, _name, StringComparison.Ordinal))
                && (_state is null || string.Equals(record.State, _state, StringComparison.Ordinal)))
            {
                _buffer.Writer.TryWrite(record);
            }
        }

        public void Dispose()
        {
            _buffer.Writer.TryComplete();
            _hub.Remove(this);
        }
    }
}
