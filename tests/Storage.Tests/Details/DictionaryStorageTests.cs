using Ingest.Storage.Details;
using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Details;

/// <summary>
/// Issue 29: details compressed with a per-day dictionary, end to end through the writer and the reader: raw,
/// compressed and old-day rows read back alike; a restart mid-day; retention; a corrupt value; the transaction.
/// </summary>
public sealed class DictionaryStorageTests : IDisposable
{
    private const int Rows = 1_500;
    private static readonly double s_at = At(2026, 11, 22, 10);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly StorageOptions _options;

    public DictionaryStorageTests() => _options = new StorageOptions { DatabasePath = _dir.File("dicts.db") };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteBatch_RawCompressedAndOldDayRows_AllReadBackAsWritten_Issue29()
    {
        // A day made by an earlier version: no dictionary table, so its rows stay text.
        var old = Enumerable.Range(0, 300).Select(i => DetailSamples.Record("old", i, At(2026, 11, 21, 10))).ToList();
        using (var writer = new InvocationWriter(_options, _time))
        {
            writer.WriteBatch(old[..100]);
            SqliteConnections.Execute(writer.Connection, "DROP TABLE detail_dicts_20261121");
        }

        var compression = DetailSamples.Inline();
        var records = Day("new", Rows);
        using (var writer = new InvocationWriter(_options, _time, compression))
        {
            Write(writer, compression, old[100..]);
            Write(writer, compression, records);
            // Merges of compressed rows: the outcome of a few tasks arrives again, newer, with other results.
            records[1_400] = records[1_400] with { Result = "'refunded after a second look'", StateAt = s_at + 100 };
            Write(writer, compression, [records[1_400]]);
        }

        Assert.Equal(0, Count("invocation_details_20261121", "typeof(kwargs) = 'blob'"));
        Assert.InRange(Count("invocation_details_20261122", "typeof(kwargs) = 'blob'"), Rows / 2, Rows);
        Assert.InRange(Count("invocation_details_20261122", "typeof(kwargs) = 'text'"), 1, Rows / 2);
        Assert.Equal(1, Count("detail_dicts_20261122", "1 = 1"));
        var reader = new InvocationReader(_options);
        foreach (var r in old.Concat(records))
        {
            AssertDetails(r, reader.Get(r.TaskId));
        }

        var page = reader.List(new InvocationQuery { Limit = 1_000, Since = s_at - 1 });
        Assert.Equal(1_000, page.Items.Count);
        foreach (var item in page.Items)
        {
            AssertDetails(records.Single(r => r.TaskId == item.TaskId), item);
        }

        Assert.Equal(0, reader.DetailDecodeFailures);
    }

    [Fact]
    public void Search_CompressedRows_PhrasesCheckedAgainstTheDecompressedText_Issue29()
    {
        var records = Day("s", Rows);
        WriteWithNewWriter(records);

        Assert.True(Count("invocation_details_20261122", "typeof(kwargs) = 'blob'") > Rows / 2);
        foreach (var reader in new[] { new InvocationReader(_options), new InvocationReader(_options) { DenseMatches = 10 } })
        {
            foreach (var (query, expected) in new (string, Func<InvocationRecord, bool>)[]
            {
                ("order_id=107919", r => r.Kwargs!.Contains("'order_id': 107919,", StringComparison.Ordinal)),
                ("tier=gold", r => r.Kwargs!.Contains("'tier': 'gold'", StringComparison.Ordinal)),
                ("gold=tier", _ => false),
                ("\"status shipped\"", r => r.Result is not null),
            })
            {
                var found = reader.List(new InvocationQuery { Text = query, Limit = 1_000, Since = s_at - 1 }).Items.Select(i => i.TaskId).Order();
                // The newest thousand that hold it, raw rows and compressed alike.
                Assert.Equal(records.Where(expected).OrderByDescending(r => r.StateAt).Take(1_000).Select(r => r.TaskId).Order(), found);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteBatch_LongArgsHeldCompact_StoredAndFoundAsTheirText_Issue29(bool compressed)
    {
        // What the tracker hands on for args and kwargs of 4,096 characters or more: compressed UTF-8, no string.
        var records = Day("c", Rows).Select((r, i) => r with
        {
            ArgsCompact = CompactText.Of($"({i}, '{new string('a', CompactText.MinChars)}')"),
            KwargsCompact = CompactText.Of(string.Concat(Enumerable.Repeat($"{{'order_id': {200_000 + i}, 'note': 'Müller 漢字'}} ", 200))),
            ResultCompact = r.Result is null ? null : CompactText.Of($"{{'parcel': {300_000 + i}, 'lines': '{new string('l', CompactText.MinChars)}'}}"),
            TracebackCompact = r.Traceback is null ? null : CompactText.Of(r.Traceback + new string(' ', CompactText.MinChars)),
        }).ToList();
        Assert.All(records, r => Assert.NotNull(r.KwargsCompact));
        if (compressed)
        {
            WriteWithNewWriter(records);
            Assert.True(Count("invocation_details_20261122", "typeof(kwargs) = 'blob'") > Rows / 2);
        }
        else
        {
            using var writer = new InvocationWriter(_options, _time);
            writer.WriteBatch(records);
            Assert.Equal(Rows, Count("invocation_details_20261122", "typeof(kwargs) = 'text' AND typeof(args) = 'text'"));
        }

        var reader = new InvocationReader(_options);
        foreach (var r in records.Where((_, i) => i % 50 == 0))
        {
            AssertDetails(r, reader.Get(r.TaskId));
        }

        // The search index took the text too, the result's as well.
        var found = reader.List(new InvocationQuery { Text = "order_id=200777", Since = s_at - 1 }).Items;
        Assert.Equal("c-000777", Assert.Single(found).TaskId);
        found = reader.List(new InvocationQuery { Text = "parcel=300777", Since = s_at - 1 }).Items;
        Assert.Equal("c-000777", Assert.Single(found).TaskId);
        Assert.Contains(records, r => r.ResultCompact is not null);
    }

    [Fact]
    public void Restart_MidDay_ReadsEarlierRowsAndCompressesWithTheStoredDictionary_Issue29()
    {
        var records = Day("r", 2 * Rows);
        var first = WriteWithNewWriter(records[..Rows]);
        var second = WriteWithNewWriter(records[Rows..]);

        Assert.Equal(1, first.Trained);
        Assert.Equal(0, second.Trained);
        Assert.Equal(1, Count("detail_dicts_20261122", "1 = 1"));
        // After the restart's first batch (raw: the day was not registered yet) every row uses dictionary 1 again.
        Assert.Equal(Rows - 250, Count("invocation_details_20261122", $"typeof(kwargs) = 'blob' AND id > {Rows + 250}"));
        var reader = new InvocationReader(_options);
        foreach (var r in records)
        {
            AssertDetails(r, reader.Get(r.TaskId));
        }
    }

    [Fact]
    public void WriteBatch_RolledBack_DictionaryStoredAgainWithItsNextRow_Issue29()
    {
        var compression = DetailSamples.Inline();
        var records = Day("t", Rows);
        using var writer = new InvocationWriter(_options, _time, compression);
        Write(writer, compression, records[..1_000]);
        var dictionary = compression.For(new DateOnly(2026, 11, 22), records[1_000]);
        Assert.NotNull(dictionary);
        Assert.True(dictionary.Stored);

        // A later dictionary (a retrain), first named by a batch that fails: stored with neither its row nor at all.
        var retrained = new DictionaryOfDay(dictionary.Day, 2, dictionary.Bytes);
        compression.Forget(dictionary.Day);
        compression.Register(dictionary.Day, [retrained], maxId: 2);
        var good = PreparedWrite.Of(records[1_000], writer.Groups, compression);
        Assert.IsType<byte[]>(good.StoredKwargs); // compressed before the writer sees it
        var poison = PreparedWrite.Of(records[1_001] with { State = null! }, writer.Groups, compression);
        Assert.ThrowsAny<SqliteException>(() => writer.WriteBatch([good, poison]));
        Assert.False(retrained.Stored);
        Assert.Equal(0, Count("detail_dicts_20261122", "id = 2"));

        writer.WriteBatch([good]);
        Assert.True(retrained.Stored);
        Assert.Equal(1, Count("detail_dicts_20261122", "id = 2"));
        AssertDetails(records[1_000], new InvocationReader(_options).Get(records[1_000].TaskId));
    }

    [Fact]
    public void Retention_DropPartitionOrDetails_DropsTheDaysDictionariesWithThem_Issue29()
    {
        var compression = DetailSamples.Inline();
        using var writer = new InvocationWriter(_options, _time, compression);
        Write(writer, compression, Day("a", Rows, At(2026, 11, 21, 10)));
        Write(writer, compression, Day("b", Rows));
        Assert.Equal(1, Count("detail_dicts_20261121", "1 = 1"));

        writer.DropDetails(new DayPartition(new DateOnly(2026, 11, 21)));
        Assert.False(PartitionCatalog.TableExists(writer.Connection, "detail_dicts_20261121"));
        Assert.Null(compression.For(new DateOnly(2026, 11, 21), DetailSamples.Record("a", 1, At(2026, 11, 21, 10))));
        Assert.Null(new InvocationReader(_options).Get("a-000700")!.Kwargs);

        Assert.True(writer.DropPartition(new DayPartition(new DateOnly(2026, 11, 22))));
        Assert.False(PartitionCatalog.TableExists(writer.Connection, "detail_dicts_20261122"));
        Assert.Null(compression.For(new DateOnly(2026, 11, 22), DetailSamples.Record("b", 1, s_at)));
    }

    [Fact]
    public void Read_CorruptCompressedValue_ClearErrorInItsPlaceCountedRestOfPageShown_Issue29()
    {
        var records = Day("c", Rows);
        WriteWithNewWriter(records);
        // One compressed value damaged on disk: its frame's bytes flipped, its tag and id left.
        using (var connection = new SqliteConnection($"Data Source={_options.DatabasePath};Pooling=False"))
        {
            connection.Open();
            var (id, stored) = NewestCompressedKwargs(connection);
            for (var i = 2; i < stored.Length; i++)
            {
                stored[i] ^= 0xA5;
            }

            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE invocation_details_20261122 SET kwargs = $kwargs WHERE id = $id";
            update.Parameters.AddWithValue("$kwargs", stored);
            update.Parameters.AddWithValue("$id", id);
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        var reader = new InvocationReader(_options);
        var page = reader.List(new InvocationQuery { Limit = 100, Since = s_at - 1 });

        Assert.Equal(100, page.Items.Count);
        var bad = Assert.Single(page.Items, i => i.Kwargs!.StartsWith("[unreadable stored details:", StringComparison.Ordinal));
        Assert.Equal(records.Single(r => r.TaskId == bad.TaskId).Args, bad.Args);
        Assert.Equal(1, reader.DetailDecodeFailures);
        foreach (var item in page.Items.Where(i => i != bad))
        {
            AssertDetails(records.Single(r => r.TaskId == item.TaskId), item);
        }
    }

    /// <summary>A day's records, <paramref name="count"/> of them, from <paramref name="at"/> (10:00 on the test's day if null).</summary>
    private static List<InvocationRecord> Day(string prefix, int count, double? at = null) =>
        [.. Enumerable.Range(0, count).Select(i => DetailSamples.Record(prefix, i, at ?? s_at))];

    /// <summary>Opens a writer with a new compression (as a new process would), writes the records, closes it.</summary>
    private DetailCompression WriteWithNewWriter(IReadOnlyList<InvocationRecord> records)
    {
        var compression = DetailSamples.Inline();
        using var writer = new InvocationWriter(_options, _time, compression);
        Write(writer, compression, records);
        return compression;
    }

    private static (long Id, byte[] Stored) NewestCompressedKwargs(SqliteConnection connection)
    {
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT id, kwargs FROM invocation_details_20261122 WHERE typeof(kwargs) = 'blob' ORDER BY id DESC LIMIT 1";
        using var row = read.ExecuteReader();
        Assert.True(row.Read());
        return (row.GetInt64(0), (byte[])row.GetValue(1));
    }

    /// <summary>Writes records in batches of 250, each prepared with the compression as the producer does.</summary>
    private static void Write(InvocationWriter writer, DetailCompression compression, IReadOnlyList<InvocationRecord> records)
    {
        foreach (var chunk in records.Chunk(250))
        {
            writer.WriteBatch([.. chunk.Select(r => PreparedWrite.Of(r, writer.Groups, compression))]);
        }
    }

    private static void AssertDetails(InvocationRecord expected, InvocationRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Args, actual.Args);
        Assert.Equal(expected.Kwargs, actual.Kwargs);
        Assert.Equal(expected.Result, actual.Result);
        Assert.Equal(expected.Traceback, actual.Traceback);
    }

    private long Count(string table, string where)
    {
        using var connection = new SqliteConnection($"Data Source={_options.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return SqliteConnections.Scalar<long>(connection, $"SELECT count(*) FROM {table} WHERE {where}");
    }
}
