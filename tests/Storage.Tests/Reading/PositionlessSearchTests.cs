using Ingest.Storage.Partitions;
using Ingest.Storage.Reading;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Reading;

/// <summary>
/// Issue 29: a new day's index keeps no token positions (FTS5 detail=none); phrases are checked against the stored
/// text. Every answer must be the one a day with the positional index gives over the same rows.
/// </summary>
public sealed class PositionlessSearchTests : IDisposable
{
    private const string Traceback = "Traceback (most recent call last):\n  File \"/app/shop/tasks.py\", line 12, in run\n    charge(order)\n  File \"/app/billing/gateway.py\", line 88, in charge_card\n    raise ConnectionResetError(104)\nConnectionResetError: [Errno 104] Connection reset by peer\n";

    /// <summary>The positional index as every day had it before issue 29.</summary>
    private const string PositionalDdl = """
        CREATE VIRTUAL TABLE invocation_search_20261121 USING fts5 (args, kwargs, result, content = '', contentless_delete = 1);
        """;

    private static readonly string[] s_queries =
    [
        // tokens and numbers: whole tokens only
        "12345", "1234", "123456", "gold", "GOLD", "tier", "absent",
        // key=value, which the tokenizer makes a phrase; its reverse and its halves apart
        "order_id=12345", "order_id=1234", "id=12345", "order=12345", "12345=order_id", "customer_id=12345 tier=gold",
        // phrases, in and out of order, across columns, across the args/kwargs boundary
        "\"connection reset\"", "connection reset", "reset connection", "connection-reset", "reset-connection", "connection_reset_by_peer", "ConnectionResetError(104)",
        "Errno 104", "[Errno 104]", "104 Errno", "ok shipped", "'shipped': [12345]", "by peer", "peer by",
        // exceptions and the traceback's last frame, not its earlier frames
        "PaymentDeclined('card declined')", "card declined", "declined card", "gateway.py charge_card", "billing/gateway.py",
        "tasks.py", "shop", "line 88", "line 12",
        // a prefix is not FTS5 syntax here: foo* is the token foo
        "acm*", "acme*", "ord*_id=12345",
        // hostile: FTS5 operators, quotes, SQL, control characters
        "acme OR gold", "NEAR(acme gold)", "acme AND NOT gold", "-acme", "kwargs:acme", "^acme", "\"\"acme\"\"",
        "'; DROP TABLE invocations_20261122; --", "acme\"gold", "a\tb\nc", "acme\u0001gold", "acme\u0000gold", "\u0000acme",
        // beyond ASCII: case, diacritics (unicode61 drops them), combining marks, other scripts, astral planes
        "Müller", "MULLER", "muller-straße", "strasse", "café=crème", "cafe creme", "e\u0301te\u0301", "été",
        "Москва=СПб", "москва", "漢字", "ΣΟΦΙΑ", "σοφια", "Ⅻ=x²", "x²", "😀 gold", "gold=𐐀𐐨", "gold=𐐨𐐀", "\uE000abc",
    ];

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Search_DayIndexedWithoutPositions_AnswersEveryQueryAsTheDayWithPositions_Issue29()
    {
        var options = new StorageOptions { DatabasePath = _dir.File("kinds.db") };
        using (var writer = new InvocationWriter(options, _time))
        {
            // A day made before issue 29: its positional index exists before the writer makes the rest of the day.
            SqliteConnections.Execute(writer.Connection, PositionalDdl);
            foreach (var (prefix, day) in new[] { ("old", 21), ("new", 22) })
            {
                writer.WriteBatch([.. Rows(prefix, At(2026, 11, day, 10))]);
                // A merge: written running, then failed; its index entry is replaced.
                writer.WriteBatch([Finished($"{prefix}-merged", TaskStates.Started, At(2026, 11, day, 11)) with { FinishedAt = null, Result = null, Kwargs = "{'order_id': 12345, 'tier': 'gold'}" }]);
                writer.WriteBatch([Finished($"{prefix}-merged", TaskStates.Failure, At(2026, 11, day, 11, 1)) with { Exception = "ConnectionResetError(104, 'Connection reset by peer')", Traceback = Traceback, Kwargs = null }]);
            }

            var positionless = PartitionCatalog.PositionlessSearchTables(writer.Connection);
            Assert.Contains("invocation_search_20261122", positionless);
            Assert.DoesNotContain("invocation_search_20261121", positionless);
        }

        var fromIndex = new InvocationReader(options);
        var walking = new InvocationReader(options) { DenseMatches = 1 };
        var matched = 0;
        foreach (var q in s_queries)
        {
            Assert.True(SearchText.TryParse(q, out _, out var error), $"q={q}: {error}");
            foreach (var reader in new[] { fromIndex, walking })
            {
                var ids = reader.List(new InvocationQuery { Text = q, Limit = 1000 }).Items.Select(i => i.TaskId).ToList();
                var old = ids.Where(i => i.StartsWith("old-", StringComparison.Ordinal)).Select(i => i[4..]).Order();
                var now = ids.Where(i => i.StartsWith("new-", StringComparison.Ordinal)).Select(i => i[4..]).Order();
                Assert.True(old.SequenceEqual(now), $"q={q}: positional day found [{string.Join(", ", old)}], positionless day [{string.Join(", ", now)}]");
                matched += old.Any() ? 1 : 0;
            }
        }

        // The queries find things, and a phrase's order counts on the new day as on the old.
        Assert.True(matched > s_queries.Length, $"only {matched} of {2 * s_queries.Length} searches found anything");
        Assert.Equal(["new-merged", "new-reset", "old-merged", "old-reset"], Found(fromIndex, "connection-reset"));
        Assert.Equal(["new-reversed", "old-reversed"], Found(fromIndex, "reset-connection"));
        Assert.Equal(["new-kwargs", "new-merged", "old-kwargs", "old-merged"], Found(fromIndex, "order_id=12345"));
    }

    [Fact]
    public void Parse_KeyValue_AsksTheIndexForEachTokenAndChecksThePhrase_Issue29()
    {
        var pair = PositionlessQuery.Parse("order_id=12345 gold*");
        var single = PositionlessQuery.Parse("12345 \"x\" ===");

        Assert.Equal("\"order\" AND \"id\" AND \"12345\" AND \"gold*\"", pair.IndexQuery);
        Assert.True(pair.NeedsCheck);
        Assert.True(pair.Matches(null, "{'order_id': 12345}", null, null, null));
        Assert.False(pair.Matches(null, "{'order': 1, 'id': 12345}", null, null, null));
        Assert.False(pair.Matches("(12345,)", "{'order_id': 1}", null, null, null)); // the phrase in one column
        Assert.True(pair.Matches(null, null, null, "KeyError('order_id 12345')", null)); // a failure's text
        Assert.True(pair.CanScan); // a day walked in time order is matched on its text, every term checked
        Assert.True(pair.Matches(null, "{'order_id': 12345}", "'gold'", null, null, scan: true));
        Assert.False(pair.Matches(null, "{'order_id': 12345}", "'silver'", null, null, scan: true));
        Assert.Equal("\"12345\" AND \"\"\"x\"\"\"", single.IndexQuery);
        Assert.False(single.NeedsCheck);
    }

    private static string[] Found(InvocationReader reader, string q) =>
        [.. reader.List(new InvocationQuery { Text = q, Limit = 1000 }).Items.Select(i => i.TaskId).Order()];

    private static IEnumerable<InvocationRecord> Rows(string prefix, double at)
    {
        InvocationRecord Row(string id, string? args, string? kwargs, string? result = null, int second = 0) =>
            Finished($"{prefix}-{id}", TaskStates.Success, at + second) with { Args = args, Kwargs = kwargs, Result = result };

        yield return Row("kwargs", "()", "{'order_id': 12345, 'customer_id': 777, 'tier': 'gold'}", "'ok'", 1);
        yield return Row("near", "()", "{'order_id': 1234, 'other': 12345}", "'ok'", 2);
        yield return Row("split", "(12345,)", "{'order_id': None}", "'ok'", 3); // order_id and 12345 in different columns
        yield return Row("reversed", "('reset connection',)", "{}", "{'shipped': [12345]}", 4);
        yield return Row("reset", null, "{'msg': 'Connection reset by peer', 'Errno': 104}", "'ok'", 5);
        yield return Row("boundary", "('connection',)", "{'reset': True}", null, 6); // the phrase's words in two columns
        yield return Row("acme", "('acme', 'gold')", "{'tenant': 'acme*', 'q': \"acme\\\"gold\"}", "'acme OR gold'", 7);
        yield return Row("unicode", "('Müller', 'muller-straße', 'café crème')", "{'city': 'Москва=СПб', 'w': '漢字 ΣΟΦΙΑ', 'e': 'e\u0301te\u0301'}", "'Ⅻ x² 😀 gold 𐐀𐐨 \uE000abc'", 8);
        yield return Row("control", "('acme\u0000gold', 'a\tb\nc')", "{'sql': \"'; DROP TABLE invocations_20261122; --\"}", null, 9);
        yield return Finished($"{prefix}-declined", TaskStates.Failure, at + 10) with
        {
            Exception = "PaymentDeclined('card declined')",
            Traceback = Traceback.Replace("ConnectionResetError(104)", "PaymentDeclined(msg)", StringComparison.Ordinal),
            Kwargs = "{'order_id': 55}",
        };
    }
}
