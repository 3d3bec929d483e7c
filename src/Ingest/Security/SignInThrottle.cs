using System.Net;

namespace Ingest.Security;

/// <summary>
/// Slows password guessing: an address with <see cref="MaxFailures"/> failed sign-ins (form or Basic) within
/// <see cref="Window"/> is refused further password checks until the window has passed, which also keeps it from
/// spending the CPU of a bcrypt check per guess. A success clears the address. A credential verified in the
/// last few minutes still works from a refused address (a script behind the same NAT as a guesser keeps
/// running). At most <see cref="MaxAddresses"/> are tracked; past that the oldest is let go and counted.
/// Thread-safe.
/// </summary>
public sealed class SignInThrottle
{
    public const int MaxAddresses = 4096;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private long _refused;
    private long _evicted;

    public SignInThrottle(TimeProvider time, int maxFailures = 10, TimeSpan? window = null)
    {
        _time = time;
        MaxFailures = maxFailures;
        Window = window ?? TimeSpan.FromMinutes(5);
    }

    public int MaxFailures { get; }

    public TimeSpan Window { get; }

    /// <summary>Attempts refused because their address had failed too often.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Addresses let go because <see cref="MaxAddresses"/> were tracked.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public int Tracked
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>True when this address may not try a password now; <paramref name="retryAfter"/> says for how long.</summary>
    public bool IsRefused(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (address is null)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(Normal(address), out var entry) || entry.Failures < MaxFailures)
            {
                return false;
            }

            retryAfter = entry.Since + Window - now;
            if (retryAfter <= TimeSpan.Zero)
            {
                _entries.Remove(Normal(address));
                return false;
            }
        }

        return true;
    }

    /// <summary>Counts one attempt turned away.</summary>
    public void NoteRefused() => Interlocked.Increment(ref _refused);

    public void Failed(IPAddress? address)
    {
        if (address is null)
        {
            return;
        }

        var key = Normal(address);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && now - entry.Since < Window)
            {
                _entries[key] = entry with { Failures = entry.Failures + 1 };
                return;
            }

            if (!_entries.ContainsKey(key) && _entries.Count >= MaxAddresses)
            {
                // Oldest window first; a linear pass, only when full, over a few thousand entries.
                var oldest = _entries.MinBy(e => e.Value.Since).Key;
                _entries.Remove(oldest);
                Interlocked.Increment(ref _evicted);
            }

            _entries[key] = new Entry(1, now);
        }
    }

    public void Succeeded(IPAddress? address)
    {
        if (address is null)
        {
            return;
        }

        lock (_lock)
        {
            _entries.Remove(Normal(address));
        }
    }

    /// <summary>An IPv4 client seen as ::ffff:a.b.c.d on a dual-stack socket is the same client.</summary>
    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private readonly record struct Entry(int Failures, DateTimeOffset Since);
}
