using System.Threading.Channels;

namespace Ingest.Storage.Audit;

/// <summary>
/// Audit entries waiting for the one writer (the flush loop writes them between batches). Bounded in entries, and
/// each entry's texts are cut to <see cref="MaxFieldChars"/>: a fleet of 500 workers answering an inspection must not
/// make one entry megabytes. When full, the oldest entry is dropped and counted (<see cref="Dropped"/>): the
/// metric <c>ingest.control.actions</c> still counted it. Thread-safe (a bounded channel that drops its oldest).
/// </summary>
public sealed class AuditBuffer
{
    /// <summary>Entries waiting at most.</summary>
    public const int Capacity = 10_000;

    /// <summary>Longest text kept of one field (replies, arguments, reason); longer is cut and marked.</summary>
    public const int MaxFieldChars = 16_384;

    private const string CutMark = "…(cut)";

    private readonly Channel<AuditEntry> _entries;
    private long _dropped;
    private long _failed;

    /// <param name="capacity">Entries waiting at most (tests use a small one).</param>
    public AuditBuffer(int capacity = Capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _entries = Channel.CreateBounded<AuditEntry>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Raised after an entry is added, so the flush loop writes it without waiting for its idle tick.</summary>
    public event Action? Added;

    /// <summary>Entries waiting.</summary>
    public int Count => _entries.Reader.Count;

    /// <summary>Entries dropped, oldest first, because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Entries the writer could not write (counted, not retried: the loop never waits on them).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Adds an entry, its texts cut to <see cref="MaxFieldChars"/>; drops the oldest when full.</summary>
    public void Add(AuditEntry entry)
    {
        _entries.Writer.TryWrite(entry with
        {
            User = Cut(entry.User),
            Target = Cut(entry.Target),
            Arguments = Cut(entry.Arguments)!,
            Reason = Cut(entry.Reason),
            Replies = Cut(entry.Replies),
            Missing = Cut(entry.Missing),
        });
        Added?.Invoke();
    }

    /// <summary>Takes up to <paramref name="max"/> entries, oldest first.</summary>
    public IReadOnlyList<AuditEntry> Take(int max)
    {
        var taken = new List<AuditEntry>();
        while (taken.Count < max && _entries.Reader.TryRead(out var entry))
        {
            taken.Add(entry);
        }

        return taken;
    }

    /// <summary>Counts entries the writer failed to store.</summary>
    public void MarkFailed(int count) => Interlocked.Add(ref _failed, count);

    /// <summary>The text cut to <see cref="MaxFieldChars"/>, marked where it was cut.</summary>
    internal static string? Cut(string? text) =>
        text is { Length: > MaxFieldChars } ? string.Concat(text.AsSpan(0, MaxFieldChars - CutMark.Length), CutMark) : text;
}
