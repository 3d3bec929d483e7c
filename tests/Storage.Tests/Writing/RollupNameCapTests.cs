using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;
using Microsoft.Data.Sqlite;

namespace Ingest.Storage.Tests.Writing;

public sealed class RollupNameCapTests : IDisposable
{
    private static readonly DateOnly s_day = new(2026, 11, 20);
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public RollupNameCapTests()
    {
        _connection.Open();
        SqliteConnections.Execute(_connection, PartitionSchema.CreateSql(new DayPartition(s_day), search: false));
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public void TaskName_DayAtTheCap_NewNameCountsUnderOverflowOnceWhenAsked()
    {
        var cap = new RollupNameCap(_connection, maxTaskNamesPerDay: 2);
        Assert.Equal("a", cap.TaskName(s_day, "a"));
        Assert.Equal("b", cap.TaskName(s_day, "b"));

        Assert.Equal(RollupNameCap.OverflowName, cap.TaskName(s_day, "c"));
        Assert.Equal(RollupNameCap.OverflowName, cap.TaskName(s_day, "c", count: false));

        Assert.Equal("a", cap.TaskName(s_day, "a"));
        Assert.Equal(1, cap.Overflowed);
    }

    [Fact]
    public void TaskName_NamesAlreadyStored_CountTowardTheCap()
    {
        SqliteConnections.Execute(_connection, $"INSERT INTO {new DayPartition(s_day).TaskHoursSql} (name, hour) VALUES ('stored', 0)");
        var cap = new RollupNameCap(_connection, maxTaskNamesPerDay: 2);

        Assert.Equal("new", cap.TaskName(s_day, "new"));
        Assert.Equal(RollupNameCap.OverflowName, cap.TaskName(s_day, "another"));
        Assert.Equal("stored", cap.TaskName(s_day, "stored"));
    }

    [Fact]
    public void GroupName_PastMaxWorkerGroupsPerDay_CountsUnderOverflow()
    {
        var cap = new RollupNameCap(_connection, maxTaskNamesPerDay: 10);
        for (var i = 0; i < RollupNameCap.MaxWorkerGroupsPerDay; i++)
        {
            Assert.Equal($"pod-{i}", cap.GroupName(s_day, $"pod-{i}"));
        }

        Assert.Equal(RollupNameCap.OverflowName, cap.GroupName(s_day, "one-too-many"));
        Assert.Equal("pod-0", cap.GroupName(s_day, "pod-0"));
        Assert.Equal(1, cap.Overflowed);
    }
}
