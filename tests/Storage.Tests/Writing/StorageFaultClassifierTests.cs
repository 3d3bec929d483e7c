using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Tests.Writing;

public sealed class StorageFaultClassifierTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(5, StorageFault.Busy)]        // SQLITE_BUSY
    [InlineData(6, StorageFault.Busy)]        // SQLITE_LOCKED
    [InlineData(15, StorageFault.Busy)]       // SQLITE_PROTOCOL
    [InlineData(7, StorageFault.OutOfMemory)] // SQLITE_NOMEM
    [InlineData(8, StorageFault.ReadOnly)]    // SQLITE_READONLY
    [InlineData(10, StorageFault.Io)]         // SQLITE_IOERR
    [InlineData(14, StorageFault.Io)]         // SQLITE_CANTOPEN
    [InlineData(11, StorageFault.Corrupt)]    // SQLITE_CORRUPT
    [InlineData(26, StorageFault.Corrupt)]    // SQLITE_NOTADB
    [InlineData(13, StorageFault.DiskFull)]   // SQLITE_FULL
    [InlineData(517, StorageFault.Busy)]      // SQLITE_BUSY_SNAPSHOT: extended codes count as their primary code
    [InlineData(261, StorageFault.Busy)]      // SQLITE_BUSY_RECOVERY
    [InlineData(262, StorageFault.Busy)]      // SQLITE_LOCKED_SHAREDCACHE
    [InlineData(1032, StorageFault.ReadOnly)] // SQLITE_READONLY_DBMOVED
    [InlineData(778, StorageFault.Io)]        // SQLITE_IOERR_WRITE
    [InlineData(1034, StorageFault.Io)]       // SQLITE_IOERR_FSYNC
    [InlineData(3082, StorageFault.Io)]       // SQLITE_IOERR_NOMEM: an I/O error first
    [InlineData(526, StorageFault.Io)]        // SQLITE_CANTOPEN_ISDIR
    [InlineData(267, StorageFault.Corrupt)]   // SQLITE_CORRUPT_VTAB
    public void Classify_StorageResultCodeOrItsExtendedCode_NamesTheFault(int code, StorageFault expected)
    {
        var e = new SqliteException("storage", code);

        Assert.Equal(expected, StorageFaultClassifier.Classify(e));
        Assert.True(StorageFaultClassifier.IsStorageFault(e));
    }

    [Theory]
    [InlineData(1)]    // SQLITE_ERROR
    [InlineData(18)]   // SQLITE_TOOBIG
    [InlineData(19)]   // SQLITE_CONSTRAINT
    [InlineData(1555)] // SQLITE_CONSTRAINT_PRIMARYKEY
    [InlineData(1299)] // SQLITE_CONSTRAINT_NOTNULL
    [InlineData(20)]   // SQLITE_MISMATCH
    [InlineData(21)]   // SQLITE_MISUSE
    [InlineData(25)]   // SQLITE_RANGE
    public void Classify_RecordResultCode_IsNone(int code)
    {
        Assert.Equal(StorageFault.None, StorageFaultClassifier.Classify(new SqliteException("record", code)));
        Assert.False(StorageFaultClassifier.IsStorageFault(new SqliteException("record", code)));
    }

    [Fact]
    public void Classify_OperatingSystemFailures_NamesTheFault()
    {
        Assert.Equal(StorageFault.Io, StorageFaultClassifier.Classify(new IOException("disk")));
        Assert.Equal(StorageFault.Io, StorageFaultClassifier.Classify(new FileNotFoundException("gone")));
        Assert.Equal(StorageFault.ReadOnly, StorageFaultClassifier.Classify(new UnauthorizedAccessException("denied")));
        // InsufficientMemoryException is an OutOfMemoryException the analyzers let a test make.
        Assert.Equal(StorageFault.OutOfMemory, StorageFaultClassifier.Classify(new InsufficientMemoryException()));
    }

    [Fact]
    public void Classify_BugOrBadValue_IsNone()
    {
        Assert.Equal(StorageFault.None, StorageFaultClassifier.Classify(new OverflowException()));
        Assert.Equal(StorageFault.None, StorageFaultClassifier.Classify(new InvalidOperationException()));
        Assert.Equal(StorageFault.None, StorageFaultClassifier.Classify(new ArgumentException("value")));
    }

    [Fact]
    public void Classify_ConstraintFromTheEngine_IsNone()
    {
        using var connection = Open($"Data Source={_dir.File("c.db")};Pooling=False");
        SqliteConnections.Execute(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO t VALUES (1, 'a')");

        var e = Assert.Throws<SqliteException>(() => SqliteConnections.Execute(connection, "INSERT INTO t VALUES (1, 'b')"));

        Assert.Equal(19, StorageFaultClassifier.PrimaryCode(e.SqliteErrorCode));
        Assert.Equal(StorageFault.None, StorageFaultClassifier.Classify(e));
    }

    [Fact]
    public void Classify_WriteOnReadOnlyConnectionFromTheEngine_IsReadOnly()
    {
        var path = _dir.File("r.db");
        using (var create = Open($"Data Source={path};Pooling=False"))
        {
            SqliteConnections.Execute(create, "CREATE TABLE t (v TEXT)");
        }

        using var readOnly = Open($"Data Source={path};Mode=ReadOnly;Pooling=False");
        var e = Assert.Throws<SqliteException>(() => SqliteConnections.Execute(readOnly, "INSERT INTO t VALUES ('a')"));

        Assert.Equal(StorageFault.ReadOnly, StorageFaultClassifier.Classify(e));
    }

    [Fact]
    public void Classify_NotADatabaseFromTheEngine_IsCorrupt()
    {
        var path = _dir.File("n.db");
        File.WriteAllText(path, new string('x', 4096));
        using var connection = Open($"Data Source={path};Pooling=False");

        var e = Assert.Throws<SqliteException>(() => SqliteConnections.Execute(connection, "SELECT count(*) FROM sqlite_master"));

        Assert.Equal(StorageFault.Corrupt, StorageFaultClassifier.Classify(e));
    }

    [Fact]
    public void IsOutage_AServerThatDidNotAnswerOrIsBusy_IsWaitedOut_AnyOtherFaultKeepsItsRetryLimit_Issue26()
    {
        // Refused or reset (no HTTP answer), and no answer in time: the store is away.
        Assert.True(StorageFaultClassifier.IsOutage(new Ingest.Storage.ClickHouse.ClickHouseException("refused", null, null, null, StorageFault.Io)));
        Assert.True(StorageFaultClassifier.IsOutage(new Ingest.Storage.ClickHouse.ClickHouseException("no answer", null, null, null, StorageFault.Busy)));
        // It answered: busy (too many parts, a timeout of its own) is away too; a missing table or a full disk is not.
        Assert.True(StorageFaultClassifier.IsOutage(new Ingest.Storage.ClickHouse.ClickHouseException("parts", 252, "Too many parts", 500, StorageFault.Busy)));
        Assert.False(StorageFaultClassifier.IsOutage(new Ingest.Storage.ClickHouse.ClickHouseException("table", 60, "Table doesn't exist", 404, StorageFault.Io)));
        Assert.False(StorageFaultClassifier.IsOutage(new Ingest.Storage.ClickHouse.ClickHouseException("disk", 243, "Not enough space", 500, StorageFault.DiskFull)));
        // SQLite's file is here: its faults are never an outage.
        Assert.False(StorageFaultClassifier.IsOutage(new SqliteException("busy", 5)));
        Assert.False(StorageFaultClassifier.IsOutage(new IOException("disk")));
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}
