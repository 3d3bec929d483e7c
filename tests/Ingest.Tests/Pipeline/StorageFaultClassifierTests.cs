using Ingest.Pipeline;
using Microsoft.Data.Sqlite;

namespace Ingest.Tests.Pipeline;

public class StorageFaultClassifierTests
{
    [Theory]
    [InlineData(5, StorageFaultKind.Contention)] // SQLITE_BUSY
    [InlineData(6, StorageFaultKind.Contention)] // SQLITE_LOCKED
    [InlineData(7, StorageFaultKind.Exhausted)] // SQLITE_NOMEM
    [InlineData(13, StorageFaultKind.Exhausted)] // SQLITE_FULL
    [InlineData(8, StorageFaultKind.Unavailable)] // SQLITE_READONLY
    [InlineData(10, StorageFaultKind.Unavailable)] // SQLITE_IOERR
    [InlineData(14, StorageFaultKind.Unavailable)] // SQLITE_CANTOPEN
    [InlineData(15, StorageFaultKind.Unavailable)] // SQLITE_PROTOCOL
    [InlineData(11, StorageFaultKind.Damaged)] // SQLITE_CORRUPT
    [InlineData(26, StorageFaultKind.Damaged)] // SQLITE_NOTADB
    public void Classify_SqliteStorageCode_IsTheStoragesFault(int code, StorageFaultKind kind)
    {
        var error = new SqliteException("storage", code);

        Assert.Equal(kind, StorageFaultClassifier.Classify(error));
        Assert.True(StorageFaultClassifier.IsStorageFault(error));
    }

    [Theory]
    [InlineData(1)] // SQLITE_ERROR: a bad statement or value
    [InlineData(18)] // SQLITE_TOOBIG: one record too large
    [InlineData(19)] // SQLITE_CONSTRAINT
    [InlineData(20)] // SQLITE_MISMATCH
    [InlineData(-1)]
    public void Classify_SqliteRecordCode_IsNotTheStoragesFault(int code)
    {
        var error = new SqliteException("record", code);

        Assert.Equal(StorageFaultKind.None, StorageFaultClassifier.Classify(error));
        Assert.False(StorageFaultClassifier.IsStorageFault(error));
    }

    [Theory]
    [InlineData(517, StorageFaultKind.Contention)] // SQLITE_BUSY_SNAPSHOT
    [InlineData(778, StorageFaultKind.Unavailable)] // SQLITE_IOERR_WRITE
    [InlineData(267, StorageFaultKind.Damaged)] // SQLITE_CORRUPT_VTAB
    [InlineData(2067, StorageFaultKind.None)] // SQLITE_CONSTRAINT_UNIQUE
    public void Classify_ExtendedCode_IsClassifiedByItsPrimaryCode(int code, StorageFaultKind kind) =>
        Assert.Equal(kind, StorageFaultClassifier.Classify(new SqliteException("extended", code)));

    [Fact]
    public void Classify_OperatingSystemFaults_AreTheStorages()
    {
        Assert.Equal(StorageFaultKind.Unavailable, StorageFaultClassifier.Classify(new IOException("disk gone")));
        Assert.Equal(StorageFaultKind.Unavailable, StorageFaultClassifier.Classify(new UnauthorizedAccessException("read-only mount")));
        // An OutOfMemoryException of its own kind (CA2201 keeps the base type to the runtime).
        Assert.Equal(StorageFaultKind.Exhausted, StorageFaultClassifier.Classify(new InsufficientMemoryException()));
    }

    [Fact]
    public void Classify_AnyOtherException_IsARecordsFault()
    {
        Assert.Equal(StorageFaultKind.None, StorageFaultClassifier.Classify(new InvalidOperationException("cannot store 1e308")));
        Assert.Equal(StorageFaultKind.None, StorageFaultClassifier.Classify(new OverflowException()));
    }
}
