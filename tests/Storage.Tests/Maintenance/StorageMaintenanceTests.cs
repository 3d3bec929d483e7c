using Ingest.Storage.Maintenance;
using Ingest.Storage.Partitions;
using Ingest.Storage.Tests.Support;
using Ingest.Storage.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Storage.Tests.Maintenance;

public sealed class StorageMaintenanceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RunStep_BeforeMidnight_TomorrowsPartitionAlreadyExists()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 23, 59, 0, TimeSpan.Zero));
        using var writer = new InvocationWriter(new StorageOptions { DatabasePath = _dir.File("x.db") });
        var maintenance = new StorageMaintenance(writer, time);

        maintenance.RunStep(CancellationToken.None);

        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261122"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261123"));
        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocation_details_20261123"));

        time.Advance(TimeSpan.FromMinutes(2));
        maintenance.RunStep(CancellationToken.None);

        Assert.True(PartitionCatalog.TableExists(writer.Connection, "invocations_20261124"));
        Assert.Equal(3, maintenance.PartitionsCreated);
    }
}
