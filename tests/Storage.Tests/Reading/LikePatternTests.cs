using Ingest.Storage.Reading;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using static Ingest.Storage.Tests.Support.Records;

namespace Ingest.Storage.Tests.Reading;

public sealed class LikePatternTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StorageOptions _options;
    private readonly InvocationWriter _writer;

    public LikePatternTests()
    {
        _options = new StorageOptions { DatabasePath = _dir.File("ingest.db") };
        _writer = new InvocationWriter(_options);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("import", "import")]
    [InlineData("import_orders", "import\\_orders")]
    [InlineData("100%", "100\\%")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("", "")]
    public void Escape_Wildcards_AreTakenLiterally(string typed, string pattern) =>
        Assert.Equal(pattern, LikePattern.Escape(typed));

    [Fact]
    public void List_NameContains_FindsEveryNameHoldingTheText_Issue25()
    {
        var at = At(2026, 11, 20);
        _writer.WriteBatch([
            Finished("a", TaskStates.Success, at, "shop.tasks.import_orders"),
            Finished("b", TaskStates.Success, at + 1, "shop.tasks.IMPORT_users"),
            Finished("c", TaskStates.Success, at + 2, "shop.tasks.export"),
        ]);
        var reader = new InvocationReader(_options);

        var found = reader.List(new InvocationQuery { NameContains = "import" }).Items.Select(r => r.TaskId).Order();

        Assert.Equal(["a", "b"], found);
    }

    [Fact]
    public void List_NameContainsAnUnderscoreOrPercent_MatchesItLiterallyNotAsAWildcard_Issue25()
    {
        var at = At(2026, 11, 20);
        _writer.WriteBatch([
            Finished("a", TaskStates.Success, at, "shop.import_orders"),
            Finished("b", TaskStates.Success, at + 1, "shop.importXorders"),
            Finished("c", TaskStates.Success, at + 2, "shop.sale_100%"),
            Finished("d", TaskStates.Success, at + 3, "shop.sale_1000"),
        ]);
        var reader = new InvocationReader(_options);

        Assert.Equal(["a"], reader.List(new InvocationQuery { NameContains = "import_orders" }).Items.Select(r => r.TaskId));
        Assert.Equal(["c"], reader.List(new InvocationQuery { NameContains = "100%" }).Items.Select(r => r.TaskId));
    }
}
