using System.Text;
using Ingest.Storage.Reading;

namespace Ingest.Storage.Tests.Reading;

public sealed class RankCursorTests
{
    [Fact]
    public void Encode_ThenDecode_GivesTheSamePosition()
    {
        var cursor = new RankCursor(RankCursor.Failures, 42, 1795376624.71, "shop.tasks.charge|ü", "PaymentDeclined");

        Assert.True(RankCursor.TryDecode(cursor.Encode(), RankCursor.Failures, out var back));
        Assert.Equal(cursor, back);
    }

    [Theory]
    [InlineData("""["tasks","3","NaN","a",""]""")]
    [InlineData("""["tasks","3","Infinity","a",""]""")]
    [InlineData("""["tasks","x","0","a",""]""")]
    [InlineData("""["tasks","3","0","a"]""")]
    [InlineData("""["failures","3","0","a",""]""")]
    [InlineData("""{"tasks":1}""")]
    [InlineData("not json")]
    public void TryDecode_AForgedOrForeignToken_IsRefused(string raw)
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.False(RankCursor.TryDecode(token, RankCursor.Tasks, out _));
        Assert.False(RankCursor.TryDecode("%%%", RankCursor.Tasks, out _));
    }
}
