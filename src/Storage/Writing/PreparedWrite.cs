using Ingest.Storage.Details;
using Ingest.Storage.Partitions;
using Ingest.Storage.Rollups;

namespace Ingest.Storage.Writing;

/// <summary>
/// A record with everything its write needs that is not a SQLite call, worked out once on the producer's side
/// (the tracker's thread, as the record enters the channel) so that the flush thread only binds and steps (issue
/// 29: the writer was 71 % busy and a sixth of that was this work). Store-neutral data: the day it belongs to, what
/// it adds to the rollups, the text the search index takes in the result's place, and what root_id stores.
/// On a SQLite day with a dictionary the details come compressed here too (<see cref="DetailCompression"/>), never on
/// the flush thread. A writer that does not use a part ignores it; a rollup of another grain (per minute) is one more field here.
/// Immutable, so the producer and the flush thread share it without a lock.
/// </summary>
public sealed class PreparedWrite
{
    /// <summary>The bytes this adds to its record's in memory (the object and its contribution's fields), for the byte budget.</summary>
    private const int BaseBytes = 88 + 96;

    private PreparedWrite(InvocationRecord record, WorkerGroups groups, DetailCompression? compression)
    {
        Record = record;
        Groups = groups;
        Day = DayPartition.FromUnixSeconds(record.PartitionTime);
        Contribution = RollupContribution.Of(record, groups);
        HasDetails = record.HeldArgs is not null || record.HeldKwargs is not null || record.HeldResult is not null || record.HeldTraceback is not null || record.Exception is not null;
        SearchText = record.HeldResult ?? PartitionStatements.SearchableFailure(record);
        RootId = StoredRow.RootId(record) as string;
        Bytes = BaseBytes + (SearchText is string made && !ReferenceEquals(made, record.HeldResult) ? 24 + (2L * made.Length) : 0);
        StoredArgs = record.HeldArgs;
        StoredKwargs = record.HeldKwargs;
        StoredResult = record.HeldResult;
        StoredTraceback = record.HeldTraceback;
        if (HasDetails && compression?.For(Day.Day, record) is { } dictionary)
        {
            StoredArgs = Compress(record.HeldArgs, dictionary);
            StoredKwargs = Compress(record.HeldKwargs, dictionary);
            StoredResult = Compress(record.HeldResult, dictionary);
            StoredTraceback = Compress(record.HeldTraceback, dictionary);
            var blobs = Blob(StoredArgs) + Blob(StoredKwargs) + Blob(StoredResult) + Blob(StoredTraceback);
            Bytes += blobs;
            Dictionary = blobs > 0 ? dictionary : null;
        }
    }

    /// <summary>The record as the tracker wrote it.</summary>
    public InvocationRecord Record { get; }

    /// <summary>The day partition the record is written to.</summary>
    public DayPartition Day { get; }

    /// <summary>Bytes this preparation holds beyond the record's own, counted in the byte budget with it.</summary>
    public long Bytes { get; }

    /// <summary>Whether the record carries anything for the details table.</summary>
    public bool HasDetails { get; }

    /// <summary>What the search index takes in the result's place: the result, or a failure's exception and last frame.</summary>
    public string? SearchResult => CompactText.Text(SearchText);

    /// <summary><see cref="SearchResult"/> as held: a long result stays compact (the writer binds its UTF-8).</summary>
    internal object? SearchText { get; }

    /// <summary>What the new row adds to the rollups (hourly keys and the waits), grouped by <see cref="Groups"/>.</summary>
    internal RollupContribution Contribution { get; }

    /// <summary>The worker grouping the contribution was made with; a writer grouping otherwise works it out again.</summary>
    internal WorkerGroups Groups { get; }

    /// <summary>What root_id stores: empty for a task that is its own root, null for none (see <see cref="StoredRow.RootId"/>).</summary>
    internal string? RootId { get; }

    /// <summary>
    /// What the details table stores for args: the text, its compressed form (a byte array, see <see cref="DetailCodec"/>),
    /// or a long text held compact (<see cref="CompactText"/>), bound as text.
    /// </summary>
    internal object? StoredArgs { get; }

    /// <summary>What the details table stores for kwargs.</summary>
    internal object? StoredKwargs { get; }

    /// <summary>What the details table stores for the result.</summary>
    internal object? StoredResult { get; }

    /// <summary>What the details table stores for the traceback.</summary>
    internal object? StoredTraceback { get; }

    /// <summary>The dictionary a stored value was compressed with, if any: the writer stores it with the first such row.</summary>
    internal DictionaryOfDay? Dictionary { get; }

    /// <summary>Works out the write of <paramref name="record"/> with the worker grouping of the writer's rollups.</summary>
    /// <param name="record">The record.</param>
    /// <param name="groups">The writer's worker grouping.</param>
    /// <param name="compression">The details' dictionaries (SQLite only); null: details stored as text.</param>
    public static PreparedWrite Of(InvocationRecord record, WorkerGroups groups, DetailCompression? compression = null) => new(record, groups, compression);

    private static object? Compress(object? held, DictionaryOfDay dictionary) => held switch
    {
        string text => (object?)DetailCodec.Encode(text, dictionary) ?? text,
        CompactText compact => (object?)DetailCodec.Encode(compact, dictionary) ?? compact,
        _ => null,
    };

    /// <summary>A compressed value's bytes in memory (the array and its header); a text is the record's own.</summary>
    private static long Blob(object? stored) => stored is byte[] b ? 24 + b.Length : 0;
}
