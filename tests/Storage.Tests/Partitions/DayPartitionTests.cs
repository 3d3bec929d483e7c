using Ingest.Storage.Partitions;

namespace Ingest.Storage.Tests.Partitions;

public class DayPartitionTests
{
    [Theory]
    [InlineData("invocations_20261122", true)]
    [InlineData("invocations_legacy", false)]
    [InlineData("invocations_2026112", false)]
    [InlineData("invocations_20261322", false)]
    [InlineData("invocations_20261122x", false)]
    [InlineData("invocations_19991231", false)]
    [InlineData("invocation_details_20261122", false)]
    public void TryParseInvocationsTable_AcceptsOnlyValidDaySuffixes(string table, bool valid) =>
        Assert.Equal(valid, DayPartition.TryParseInvocationsTable(table, out _));

    [Fact]
    public void FromUnixSeconds_UsesTheUtcDate()
    {
        Assert.Equal("20261122", DayPartition.FromUnixSeconds(1_795_391_999.999).Suffix);
        Assert.Equal("20261123", DayPartition.FromUnixSeconds(1_795_392_000.0).Suffix);
    }

    [Fact]
    public void Constructor_DayOutsideTheSaneRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DayPartition(new DateOnly(1970, 1, 1)));
}
