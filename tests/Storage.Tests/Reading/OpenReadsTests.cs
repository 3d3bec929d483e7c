using Ingest.Storage.Reading;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Reading;

/// <summary>The registry of this process's open reads, which <c>/healthz</c> names the oldest of (issue 24).</summary>
public sealed class OpenReadsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OpenReader_TrackedFromOpenToClose_TheOldestAgeIsTheFirstStillOpen_Issue24()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("x.db") };
        using (new Ingest.Storage.Writing.InvocationWriter(options, _time))
        {
        }

        var reads = new OpenReads(_time);
        var connection = SqliteConnections.ReaderConnectionString(options);

        var first = SqliteConnections.OpenReader(connection, reads);
        _time.Advance(TimeSpan.FromSeconds(30));
        using var second = SqliteConnections.OpenReader(connection, reads);
        _time.Advance(TimeSpan.FromSeconds(45));

        Assert.Equal(2, reads.Count);
        Assert.Equal(TimeSpan.FromSeconds(75), reads.OldestAge);

        first.Dispose();
        Assert.Equal(1, reads.Count);
        Assert.Equal(TimeSpan.FromSeconds(45), reads.OldestAge);

        second.Close();
        Assert.Equal(0, reads.Count);
        Assert.Null(reads.OldestAge);
    }

    [Fact]
    public void Begin_EverySlotTaken_CountsTheReadUntrackedAndTracksTheNextOnceOneIsFree()
    {
        var reads = new OpenReads(_time);
        var slots = Enumerable.Range(0, OpenReads.Slots).Select(_ => reads.Begin()).ToList();

        Assert.Equal(-1, reads.Begin());
        Assert.Equal(1, reads.Untracked);

        reads.End(slots[7]);
        reads.End(-1);
        Assert.Equal(7, reads.Begin());
        Assert.Equal(OpenReads.Slots, reads.Count);
    }

    [Fact]
    public void OpenReader_OpenFails_LeavesNoReadBehind()
    {
        var reads = new OpenReads(_time);
        var missing = SqliteConnections.ReaderConnectionString(new StorageOptions { DatabasePath = _dir.File("none.db") });

        Assert.ThrowsAny<Microsoft.Data.Sqlite.SqliteException>(() => SqliteConnections.OpenReader(missing, reads));
        Assert.Equal(0, reads.Count);
    }
}
