using System.Globalization;
using Ingest.Control;
using Ingest.Hosting;
using Ingest.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Hosting;

/// <summary>Which remote control the container gives (issue 27), and its options' checks.</summary>
public class ControlRegistrationTests
{
    [Fact]
    public async Task FleetControl_NoBroker_UnavailableWithTheReason_Issue27()
    {
        using var dir = new TempDirectory();
        await using var factory = new IngestFactory(dir.File("x.db"));
        _ = factory.Server;

        var control = factory.Services.GetRequiredService<IFleetControl>();

        Assert.False(control.Available);
        var e = await Assert.ThrowsAsync<ControlUnavailableException>(() => control.SendAsync(new ControlRequest("ping", new Dictionary<string, object?>(), null, TimeSpan.FromSeconds(1)), CancellationToken.None));
        Assert.Contains("no broker is configured", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ingest:Amqp:Url", "amqp://guest:guest@127.0.0.1:1/", typeof(AmqpFleetControl))]
    [InlineData("Ingest:Redis:Url", "redis://127.0.0.1:1/0", typeof(RedisFleetControl))]
    public async Task FleetControl_BrokerConfigured_ThatBrokersControl_Issue27(string key, string url, Type expected)
    {
        await using var services = Container(new() { [key] = url, ["Ingest:Control:Timeout"] = "00:00:03", ["Ingest:Control:AllowShutdown"] = "true" });

        var control = services.GetRequiredService<IFleetControl>();

        Assert.IsType(expected, control);
        Assert.True(control.Available);
        var options = services.GetRequiredService<ControlOptions>();
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.True(options.AllowShutdown);
    }

    [Theory]
    [InlineData("Ingest:Redis:Url", "redis://127.0.0.1:{0}/0", "Redis at redis://127.0.0.1:{0}/0")]
    [InlineData("Ingest:Amqp:Url", "amqp://guest:guest@127.0.0.1:{0}/", "RabbitMQ at amqp://127.0.0.1:{0}/")]
    public async Task FleetControl_BrokerDown_ControlUnavailableNamingIt_Issue27(string key, string url, string named)
    {
        var port = TestPorts.FreeBlock(1);
        await using var services = Container(new() { [key] = string.Format(CultureInfo.InvariantCulture, url, port) });
        var control = services.GetRequiredService<IFleetControl>();

        var e = await Assert.ThrowsAsync<ControlUnavailableException>(() => control.SendAsync(new ControlRequest("ping", new Dictionary<string, object?>(), null, TimeSpan.FromSeconds(1)), CancellationToken.None));

        Assert.Contains(string.Format(CultureInfo.InvariantCulture, named, port), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ingest:Control:Timeout", "00:00:00")]
    [InlineData("Ingest:Control:Timeout", "00:05:00")]
    [InlineData("Ingest:Control:Namespace", "bad name")]
    [InlineData("Ingest:Control:MaxReplies", "0")]
    public async Task ControlOptions_OutOfRange_RefusedAtStart_Issue27(string key, string value)
    {
        using var dir = new TempDirectory();
        await using var factory = new IngestFactory(dir.File("x.db")).With(key, value);

        var e = Assert.ThrowsAny<Exception>(() => factory.Services.GetRequiredService<IOptions<ControlOptions>>().Value);

        Assert.Contains(key.Split(':')[^1], (e as OptionsValidationException)?.Message ?? e.InnerException?.Message ?? e.Message, StringComparison.Ordinal);
    }

    // The container alone, no host: nothing connects until a command is sent.
    private static ServiceProvider Container(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddIngest(configuration);
        return services.BuildServiceProvider();
    }
}
