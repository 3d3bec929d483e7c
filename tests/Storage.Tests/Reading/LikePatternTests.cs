using Ingest.Storage.Reading;

namespace Ingest.Storage.Tests.Reading;

public sealed class LikePatternTests
{
    [Theory]
    [InlineData("import", "import")]
    [InlineData("import_orders", "import\\_orders")]
    [InlineData("100%", "100\\%")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("", "")]
    public void Escape_Wildcards_AreTakenLiterally_Issue25(string typed, string pattern) =>
        Assert.Equal(pattern, LikePattern.Escape(typed));

    [Fact]
    public void Contains_WrapsTheEscapedText() => Assert.Equal("%a\\%b%", LikePattern.Contains("a%b"));
}
