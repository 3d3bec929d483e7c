using Ingest.Storage;
using Ingest.Storage.Writing;

namespace Ingest.Pipeline;

/// <summary>
/// Commits a batch, finding the record that fails alone. A failure that is not the storage's (a bug or an
/// impossible value in one record) is tied to some record: the batch is split in halves, each half committed on
/// its own, until the record that fails alone is found; that one is set aside, and every other record is written.
/// (Issue 12: one runtime of 1e308 failed five commits and dropped 351 good invocations.) A storage fault (disk
/// full, I/O error, a lock) is not any record's: it escapes, with what is not yet committed left in the batch, to
/// the retry policy.
/// </summary>
internal sealed class BatchBisector
{
    private readonly Action<int> _setInProgress;
    private readonly Action<ArraySegment<InvocationRecord>> _committed;
    private readonly Action<InvocationRecord, Exception> _setAside;

    /// <param name="setInProgress">Publishes how many records of the batch are not yet settled.</param>
    /// <param name="committed">A piece was committed (count it flushed, publish it).</param>
    /// <param name="setAside">A record failed alone (count it write_failed with its reason).</param>
    public BatchBisector(
        Action<int> setInProgress,
        Action<ArraySegment<InvocationRecord>> committed,
        Action<InvocationRecord, Exception> setAside)
    {
        _setInProgress = setInProgress;
        _committed = committed;
        _setAside = setAside;
    }

    /// <summary>
    /// Writes <paramref name="batch"/> through <paramref name="writer"/>, setting aside the records that fail alone.
    /// Returns the number committed. On a storage fault, rethrows it with <paramref name="batch"/> left holding only
    /// what is still to write (the failing piece and those after it), for the retry.
    /// </summary>
    public int Write(List<InvocationRecord> batch, IBatchWriter writer)
    {
        var prepared = batch.ConvertAll(r => PreparedWrite.Of(r, WorkerGroups.Default));
        return Write(batch, prepared, writer);
    }

    /// <summary>
    /// As <see cref="Write(List{InvocationRecord}, IBatchWriter)"/>, with the records as the producer prepared them
    /// (<paramref name="prepared"/>, the same order): each piece goes to the writer with its prepared records, and
    /// on a storage fault both lists keep only what is still to write.
    /// </summary>
    public int Write(List<InvocationRecord> batch, List<PreparedWrite> prepared, IBatchWriter writer)
    {
        var records = batch.ToArray();
        var preparedRecords = prepared.ToArray();
        var pieces = new Stack<(int Start, int Count)>();
        pieces.Push((0, records.Length));
        var committed = 0;
        var settled = 0; // committed or set aside: no longer in progress
        while (pieces.TryPop(out var piece))
        {
            var segment = new ArraySegment<InvocationRecord>(records, piece.Start, piece.Count);
            try
            {
                writer.Write(segment, new ArraySegment<PreparedWrite>(preparedRecords, piece.Start, piece.Count));
            }
            catch (Exception e) when (!StorageFaultClassifier.IsStorageFault(e))
            {
                if (piece.Count == 1)
                {
                    // Out of progress before it is counted, so received = flushed + dropped + queued never counts
                    // a record twice to whoever waits on the counter.
                    settled++;
                    _setInProgress(records.Length - settled);
                    _setAside(records[piece.Start], e);
                    continue;
                }

                var half = piece.Count / 2;
                pieces.Push((piece.Start + half, piece.Count - half));
                pieces.Push((piece.Start, half));
                continue;
            }
            catch
            {
                // A storage fault: keep only what is still to write (this piece and those after it), for the retry.
                batch.Clear();
                batch.AddRange(segment);
                prepared.Clear();
                prepared.AddRange(new ArraySegment<PreparedWrite>(preparedRecords, piece.Start, piece.Count));
                foreach (var rest in pieces)
                {
                    batch.AddRange(new ArraySegment<InvocationRecord>(records, rest.Start, rest.Count));
                    prepared.AddRange(new ArraySegment<PreparedWrite>(preparedRecords, rest.Start, rest.Count));
                }

                _setInProgress(batch.Count);
                throw;
            }

            committed += piece.Count;
            settled += piece.Count;
            _setInProgress(records.Length - settled);
            _committed(segment);
        }

        return committed;
    }
}
