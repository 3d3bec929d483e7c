using System.Net.Http.Headers;
using System.Text.Json;
using Ingest.Accounting;
using Ingest.Control;
using Ingest.Tests.Security;
using Ingest.Tests.Support;
using Ingest.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Endpoints.Flower;

/// <summary>
/// One host for the control tests: access control on, a reader (<c>sre</c>) and a controller (<c>boss</c>, in
/// <c>--control-users</c>), shutdown allowed, two known workers, a fake fleet and a fake broker for sent tasks.
/// </summary>
public sealed class ControlHostFixture : IDisposable
{
    public const string Reader = "sre";
    public const string Controller = "boss";
    public const string Password = "correct horse";
    public const string Worker1 = "celery@worker1";
    public const string Worker2 = "celery@worker2";

    private readonly AuthTestServer _server = new();

    public ControlHostFixture()
        : this([])
    {
    }

    /// <summary>The same host with more settings (another way to the control role), applied over the defaults.</summary>
    internal ControlHostFixture(params (string Key, string? Value)[] settings)
    {
        _server.UsersFile(Reader, Password);
        var users = _server.UsersFile(Controller, Password);
        Factory = new IngestFactory(_server.Dir.File("ingest.db"))
        {
            TestServices = services =>
            {
                services.AddSingleton<IFleetControl>(Fleet);
                services.AddSingleton<ITaskPublisher>(Publisher);
            },
        };
        Factory.With("Ingest:Auth:Disabled", "false").With("Ingest:Auth:HttpIngest", "false").With("Ingest:Auth:UsersFile", users)
            .With("Ingest:Auth:ControlUsers", Controller).With("Ingest:Control:AllowShutdown", "true");
        foreach (var (key, value) in settings)
        {
            Factory.With(key, value);
        }

        Factory.UseKestrel(IngestProcess.FreePort());
        Factory.StartServer();
        var registry = Factory.Services.GetRequiredService<WorkerRegistry>();
        var now = Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        foreach (var worker in new[] { Worker1, Worker2 })
        {
            registry.Apply(new CeleryEvent { Type = CeleryEventType.WorkerOnline, Hostname = worker, Timestamp = now });
        }
    }

    public IngestFactory Factory { get; }

    public FakeFleetControl Fleet { get; } = new()
    {
        Workers = [Worker1, Worker2],
        // Flower's documented replies for the commands whose message is the worker's own words.
        Reply = (request, _) => JsonSerializer.SerializeToElement(new
        {
            ok = request.Command switch
            {
                "add_consumer" => $"add consumer {request.Arguments["queue"]}",
                "cancel_consumer" => $"no longer consuming from {request.Arguments["queue"]}",
                "time_limit" => "time limits set successfully",
                "rate_limit" => "new rate limit set successfully",
                _ => "done",
            },
        }),
    };

    public FakeTaskPublisher Publisher { get; } = new();

    public HttpClient Anonymous() => AuthTestServer.Client(Factory);

    public HttpClient As(string user) => AuthTestServer.Client(Factory, AuthTestServer.Basic(user, Password));

    public static AuthenticationHeaderValue BasicOf(string user) => AuthTestServer.Basic(user, Password);

    public void Dispose()
    {
        Factory.Dispose();
        _server.Dispose();
    }
}
