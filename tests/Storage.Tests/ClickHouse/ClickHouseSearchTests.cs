using CsCheck;
using Ingest.Storage.ClickHouse;
using Ingest.Storage.Reading;
using Ingest.Storage.Retention;
using Ingest.Storage.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.ClickHouse;

/// <summary>
/// Value search on ClickHouse (issue 26): the term tables the writer fills, its retention with the details, and
/// hostile search text, which reaches the server only as quoted values and answers as the in-memory matcher does.
/// </summary>
public sealed class ClickHouseSearchTests : IDisposable
{
    private static readonly double s_today = Records.At(2026, 12, 5);

    // Letters, digits, separators and what SQL, LIKE and the JSON and literal escaping care about.
    private static readonly Gen<string> s_text = Gen.OneOf(
        Gen.Char["ab1é_%'\\\0\n =:;-\"\uD800\uDC00\u00E9"].Array[1, 24].Select(c => new string(c)),
        Gen.OneOf(Gen.Const("order_id=12345"), Gen.Const("'; DROP TABLE terms; --"), Gen.Const("\\' OR 1=1"), Gen.Const("a%b_c")));

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds((long)s_today));
    private readonly ClickHouseEndpoint _endpoint = ClickHouseTestServer.FreshEndpoint();
    private readonly ClickHouseClient _client;
    private readonly ClickHouseStoreWriter _writer;
    private readonly ClickHouseInvocationReader _reader;

    public ClickHouseSearchTests()
    {
        _client = new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30));
        _writer = new ClickHouseStoreWriter(new ClickHouseClient(_endpoint, TimeSpan.FromSeconds(30)), "a", _time);
        _reader = new ClickHouseInvocationReader(_client);
    }

    [Fact]
    public void WriteBatch_RecordWithText_WritesEachDistinctTokenOnceUnderItsDay_Issue26()
    {
        _writer.WriteBatch([Records.Finished("t1", TaskStates.Success, s_today, kwargs: "{'order_id': 12345, 'ORDER': 12345}")]);

        var terms = _client.Query($"SELECT day, term FROM {_endpoint.Database}.term_hashes WHERE h = cityHash64('t1') ORDER BY term FORMAT TabSeparated");

        Assert.Equal("2026-12-05\t12345\n2026-12-05\tid\n2026-12-05\tok\n2026-12-05\torder\n", terms);
    }

    [Fact]
    public void WriteBatch_RecordWithText_WritesHashedTermsAndOneIdRowInsteadOfIdPerTerm_Issue26()
    {
        _writer.WriteBatch([Records.Finished("t1", TaskStates.Success, s_today, kwargs: "{'order_id': 12345, 'ORDER': 12345}")]);

        // Version 3 wrote the 36-byte id in every term row; now the term rows hold its 8-byte hash and one row per
        // task and write turns the hash back into the id.
        Assert.Equal("0\n", _client.Query($"SELECT count() FROM {_endpoint.Database}.terms FORMAT TabSeparated"));
        Assert.Equal("2026-12-05\tt1\n", _client.Query($"SELECT day, task_id FROM {_endpoint.Database}.task_hashes WHERE h = cityHash64('t1') FORMAT TabSeparated"));
        Assert.Equal(["t1"], _reader.List(new InvocationQuery { Text = "order_id=12345" }).Items.Select(r => r.TaskId));
    }

    [Fact]
    public async Task List_StoreWrittenAtVersion4ThenUpgraded_FindsTheOldTermsRowsAndTheNewOnes_Issue26()
    {
        var endpoint = ClickHouseTestServer.FreshEndpoint();
        using var client = new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30));
        try
        {
            // The store as a version 4 build left it: its term rows in the terms table, id and all.
            Assert.Equal(4, await ClickHouseMigrator.MigrateAsync(client, 4, CancellationToken.None));
            var old = Records.Finished("old", TaskStates.Success, s_today - (2 * 86400), kwargs: "{'order_id': 12345}");
            var (invocations, details, days) = ClickHouseRows.Batch([old]);
            client.Insert("invocations", invocations);
            client.Insert("details", details!);
            client.Insert("task_days", days);
            client.Insert("terms", ClickHouseTermRows.Of([old])!);

            using var writer = new ClickHouseStoreWriter(new ClickHouseClient(endpoint, TimeSpan.FromSeconds(30)), "a", _time);
            writer.WriteBatch([Records.Finished("new", TaskStates.Success, s_today, kwargs: "{'order_id': 12345}")]);
            var reader = new ClickHouseInvocationReader(client);

            Assert.Equal(ClickHouseMigrator.LatestVersion, writer.SchemaVersion);
            Assert.Equal(["new", "old"], reader.List(new InvocationQuery { Text = "order_id=12345" }).Items.Select(r => r.TaskId));
            Assert.Equal(["old"], reader.List(new InvocationQuery { Text = "order_id=12345", Until = s_today - 86400 }).Items.Select(r => r.TaskId));
        }
        finally
        {
            client.QueryServer($"DROP DATABASE IF EXISTS {endpoint.Database}");
        }
    }

    [Fact]
    public void WriteBatch_RecordWithoutText_WritesNoTerms_Issue26()
    {
        _writer.WriteBatch([new InvocationRecord { TaskId = "bare", State = TaskStates.Started, StateAt = s_today }]);

        Assert.Equal("0\t0\n", _client.Query($"SELECT (SELECT count() FROM {_endpoint.Database}.term_hashes), (SELECT count() FROM {_endpoint.Database}.task_hashes) FORMAT TabSeparated"));
        Assert.NotNull(_reader.Get("bare"));
    }

    [Fact]
    public void DropStep_DayPastDetailRetention_DropsItsTermsWithTheDetails_Issue26()
    {
        _writer.WriteBatch([Records.Finished("d", TaskStates.Success, Records.At(2026, 12, 2), kwargs: "{'order_id': 12345}")]);
        Assert.Single(_reader.List(new InvocationQuery { Text = "12345" }).Items);

        Assert.Contains("details", _writer.DropStep(new RetentionOptions { Days = 7, DetailDays = 2 }), StringComparison.Ordinal);

        Assert.Equal("0\t0\n", _client.Query($"SELECT (SELECT count() FROM {_endpoint.Database}.term_hashes), (SELECT count() FROM {_endpoint.Database}.task_hashes) FORMAT TabSeparated"));
        Assert.Empty(_reader.List(new InvocationQuery { Text = "12345" }).Items);
        Assert.Null(_writer.DropStep(new RetentionOptions { Days = 7, DetailDays = 2 }));
    }

    [Fact]
    public void List_TextOfDenseTerms_WalksTheWindowByTimeAndGivesTheSameMatches_Issue26()
    {
        _writer.WriteBatch([.. Enumerable.Range(0, 6).Select(i => Records.Finished($"w{i}", TaskStates.Success, s_today - i, kwargs: i % 2 == 0 ? "{'order_id': 12345}" : "{'order_id': 7, 'ref': 12345}"))]);
        var walking = new ClickHouseInvocationReader(_client) { DenseMatches = 2 };
        var query = new InvocationQuery { Text = "order_id=12345", Limit = 2 };

        var first = walking.List(query);
        var second = walking.List(query with { After = first.NextCursor });

        Assert.Equal(["w0", "w2", "w4"], first.Items.Concat(second.Items).Select(r => r.TaskId));
        Assert.Null(second.NextCursor);
        Assert.Equal(["w0", "w2", "w4"], _reader.List(query with { Limit = 10 }).Items.Select(r => r.TaskId));
    }

    [Fact]
    public void List_TextOfAnyHostileString_AnswersAsTheInMemoryMatcher_Issue26()
    {
        var records = s_text.Array[40].Single().Select((text, i) => Records.Finished($"r{i}", TaskStates.Success, s_today - i, kwargs: text)).ToArray();
        _writer.WriteBatch(records);

        // Queries of their own, and pieces of the stored texts (which hit more often); either way the terms table
        // and the check against the stored text must agree with the matcher the tracker's in-flight search uses.
        var pieces = Gen.Select(Gen.Int[0, records.Length - 1], Gen.Int[0, 24], Gen.Int[1, 24], (i, start, length) => Piece(records[i].Kwargs!, start, length));
        Gen.OneOf(s_text, pieces).Sample(
            text =>
            {
                if (!SearchText.TryParse(text, out _, out _))
                {
                    return Throws(text);
                }

                var phrases = SearchText.Phrases(text);
                var expected = records.Where(r => SearchText.Matches(phrases, r.Args, r.Kwargs, r.Result)).Select(r => r.TaskId);
                var actual = _reader.List(new InvocationQuery { Text = text, Limit = 100 }).Items.Select(r => r.TaskId);
                return expected.SequenceEqual(actual);
            },
            iter: 150);
    }

    public void Dispose()
    {
        _client.QueryServer($"DROP DATABASE IF EXISTS {_endpoint.Database}");
        _client.Dispose();
        _writer.Dispose();
    }

    private static string Piece(string text, int start, int length)
    {
        start = Math.Min(start, Math.Max(0, text.Length - 1));
        return text.Substring(start, Math.Min(length, text.Length - start));
    }

    private bool Throws(string text)
    {
        try
        {
            _reader.List(new InvocationQuery { Text = text });
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
