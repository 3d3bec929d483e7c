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

    public StreamHub(int maxClients = 32, int bufferPerClient = 1000, int maxPerOwner = 4)
    {
        MaxClients = maxClients;
        BufferPerClient = bufferPerClient;
        MaxPerOwner = maxPerOwner;
    }

    public int MaxClients { get; }

    public int BufferPerClient { get; }

    /// <summary>Streams one user (or, without sign-in, one address) may hold open at once.</summary>
    public int MaxPerOwner { get; }

    public int Clients => _subscriptions.Length;

    /// <summary>Why a client was not subscribed.</summary>
    public enum Refusal
    {
        None,
        Full,
        OwnerFull,
    }

    /// <summary>A new client, or null (with the reason) when <see cref="MaxClients"/> are connected or its owner holds <see cref="MaxPerOwner"/>.</summary>
    public Subscription? Subscribe(string? name, string? state, string owner, out Refusal refusal)
    {
        lock (_gate)
        {
            if (_subscriptions.Length >= MaxClients)
            {
                refusal = Refusal.Full;
                return null;
            }

            if (_subscriptions.Count(s => string.Equals(s.Owner, owner, StringComparison.Ordinal)) >= MaxPerOwner)
            {
                refusal = Refusal.OwnerFull;
                return null;
            }

            var subscription = new Subscription(this, name, state, owner, BufferPerClient);
            _subscriptions = [.. _subscriptions, subscription];
            refusal = Refusal.None;
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

        internal Subscription(StreamHub hub, string? name, string? state, string owner, int capacity)
        {
            _hub = hub;
            Owner = owner;
            _name = name;
            _state = state;
            _buffer = Channel.CreateBounded<InvocationRecord>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<InvocationRecord> Reader => _buffer.Reader;

        /// <summary>Who holds it: the signed-in user, else the client's address.</summary>
        public string Owner { get; }

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
