using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RabbitMQ.Client;

namespace Ingest.Tests.Support;

/// <summary>
/// The real RabbitMQ the tests use: the one scripts/test starts (INGEST_TEST_AMQP_URL), or a private one a test
/// starts itself with the shared broker.sh (for tests that stop and restart it).
/// </summary>
public sealed class Broker : IAsyncDisposable
{
    private readonly bool _owned;

    private Broker(string url, int port, string? dir, bool owned)
    {
        Url = url;
        Port = port;
        Dir = dir;
        _owned = owned;
    }

    public string Url { get; }
    public int Port { get; }
    public string? Dir { get; }

    public static string ScriptPath => Environment.GetEnvironmentVariable("INGEST_TEST_BROKER_SH") is { Length: > 0 } s
        ? s : Path.Combine(Fixtures.SharedDir, "fixtures", "celery-events", "broker.sh");

    /// <summary>The suite's shared broker. Fails (never skips) when scripts/test did not start one.</summary>
    public static Broker Shared()
    {
        var url = Environment.GetEnvironmentVariable("INGEST_TEST_AMQP_URL");
        if (string.IsNullOrEmpty(url))
        {
            throw new InvalidOperationException("No broker: INGEST_TEST_AMQP_URL is set by scripts/test, which starts a private RabbitMQ. Run the tests with scripts/test.");
        }

        return new Broker(url, new Uri(url).Port, Environment.GetEnvironmentVariable("INGEST_TEST_BROKER_DIR"), owned: false);
    }

    /// <summary>A private broker on free ports, stopped on dispose.</summary>
    public static async Task<Broker> StartPrivateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ingest-broker-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePortBlock();
        var broker = new Broker($"amqp://guest:guest@127.0.0.1:{port}/", port, dir, owned: true);
        await broker.StartAsync();
        return broker;
    }

    public Task StartAsync() => RunScriptAsync("start");

    public Task StopAsync() => RunScriptAsync("stop");

    public async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri(Url), ClientProvidedName = "ingest-tests" }.CreateConnectionAsync();

    /// <summary>Publishes a captured message to <paramref name="exchange"/> with its original routing key and properties.</summary>
    public static async Task PublishAsync(IChannel channel, string exchange, CapturedMessage m)
    {
        using var doc = JsonDocument.Parse(m.PropertiesJson);
        var p = doc.RootElement;
        var props = new BasicProperties
        {
            ContentType = p.GetProperty("content_type").GetString(),
            ContentEncoding = p.GetProperty("content_encoding").GetString(),
            DeliveryMode = (DeliveryModes)p.GetProperty("delivery_mode").GetInt32(),
            Priority = (byte)p.GetProperty("priority").GetInt32(),
            Headers = p.GetProperty("application_headers").EnumerateObject().ToDictionary(h => h.Name, h => (object?)System.Text.Encoding.UTF8.GetBytes(h.Value.GetString()!)),
        };
        await channel.BasicPublishAsync(exchange, m.RoutingKey, mandatory: false, props, m.Body);
    }

    /// <summary>Runs rabbitmqctl against this broker (its env comes from broker.sh env).</summary>
    public async Task<string> CtlAsync(string arguments)
    {
        var dir = Dir ?? throw new InvalidOperationException("no broker dir");
        return await RunAsync("bash", ["-c", $"eval \"$(bash '{ScriptPath}' env {Port} '{dir}')\"; /usr/lib/rabbitmq/bin/rabbitmqctl -q -n \"$RABBITMQ_NODENAME\" {arguments}"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await StopAsync();
            try
            {
                Directory.Delete(Dir!, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private Task RunScriptAsync(string verb) => RunAsync("bash", [ScriptPath, verb, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Dir!]);

    private static async Task<string> RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private static int FreePortBlock() => TestPorts.FreeBlock(8);
}
