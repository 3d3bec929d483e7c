using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Sources.Amqp;

/// <summary>A real Celery worker (Debian's python3-celery, prefork, -E) and a real client, through a real broker.</summary>
public class CeleryEndToEndTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const string TaskModule = """
        import os, time
        from celery import Celery

        app = Celery("e2etasks", broker=os.environ["BROKER"])
        app.conf.update(
            task_send_sent_event=True,
            worker_send_task_events=True,
            task_track_started=True,
            event_exchange=os.environ["EXCHANGE"],
            task_default_queue=os.environ["QUEUE"],
            broker_connection_retry_on_startup=True,
            worker_hijack_root_logger=False,
        )

        @app.task
        def add(x, y):
            return x + y

        @app.task
        def charge(order_id):
            raise ValueError(f"card declined for order {order_id}")

        @app.task(bind=True, max_retries=3)
        def flaky(self, key):
            if self.request.retries < 1:
                raise self.retry(exc=ConnectionError("upstream down"), countdown=0.5)
            return f"{key} ok after {self.request.retries} retries"

        @app.task
        def process_order(order_id=None, currency="EUR"):
            return {"order_id": order_id, "status": "ok"}

        @app.task
        def slow():
            time.sleep(60)
        """;

    private const string Client = """
        import json, sys, time
        from e2etasks import app, add, charge, flaky, process_order, slow

        ids = {
            "add": add.delay(2, 3).id,
            "charge": charge.delay(12345).id,
            "flaky": flaky.delay("job-A").id,
            "order": process_order.apply_async(kwargs={"order_id": 12345, "currency": "EUR"}).id,
        }
        s = slow.delay()
        ids["slow"] = s.id
        print(json.dumps(ids), flush=True)
        sys.stdin.readline()  # the test says when the slow task is running
        app.control.revoke(s.id, terminate=True, signal="SIGTERM")
        print("revoked", flush=True)
        """;

    [Fact]
    public async Task RealCeleryWorker_EveryOutcome_IsStoredWithStateNameArgsExceptionTracebackAndRetries()
    {
        var broker = fixture.Broker;
        using var dir = new TempDirectory();
        var exchange = "celeryev.e2e." + Guid.NewGuid().ToString("N")[..8];
        await using var factory = AmqpSourceTests.AmqpFactory(broker, dir.File("x.db"), exchange);
        using var http = factory.CreateClient();
        await AmqpSourceTests.WaitConnectedAsync(http);

        await RunScenarioAsync(http, dir, broker.Url, exchange);
    }

    [Fact]
    public async Task RealCeleryWorkerOnRedis_EveryOutcome_IsStoredWithStateNameArgsExceptionTracebackAndRetries_Issue14()
    {
        // Celery makes the event exchange fanout on Redis and kombu publishes it over PUB/SUB.
        var redis = RedisServer.Shared();
        using var dir = new TempDirectory();
        var exchange = "celeryev_e2e_" + Guid.NewGuid().ToString("N")[..8];
        await using var factory = new IngestFactory(dir.File("x.db")).WallClock()
            .With("Ingest:Pipeline:MaxBatchWait", "00:00:00.020")
            .With("Ingest:Redis:Url", redis.Url)
            .With("Ingest:Redis:WorkerEvents", "true")
            .With("Ingest:Redis:Exchange", exchange);
        using var http = factory.CreateClient();
        await Wait.UntilAsync(() => Json(http, "/healthz").GetProperty("sources").GetProperty("redis").GetProperty("state").GetString() == "subscribed", "the Redis source to subscribe");

        await RunScenarioAsync(http, dir, redis.Url, exchange);
    }

    private static async Task RunScenarioAsync(HttpClient http, TempDirectory dir, string brokerUrl, string exchange)
    {
        await File.WriteAllTextAsync(dir.File("e2etasks.py"), TaskModule);
        await File.WriteAllTextAsync(dir.File("client.py"), Client);
        // Own exchange and queue, so that tests running beside this one on the same broker see none of it.
        var queue = "celery.e2e." + Guid.NewGuid().ToString("N")[..8];
        var env = new Dictionary<string, string> { ["BROKER"] = brokerUrl, ["EXCHANGE"] = exchange, ["QUEUE"] = queue, ["PYTHONPATH"] = dir.Path };
        using var worker = Start("/usr/bin/python3", ["-m", "celery", "-A", "e2etasks", "worker", "-E", "-P", "prefork", "-c", "2", "-n", "e2e@ingest-tests", "--without-mingle", "--without-gossip", "--loglevel=WARNING"], dir.Path, env);
        try
        {
            await Wait.UntilAsync(() => Json(http, "/api/workers").GetProperty("items").EnumerateArray().Any(w => w.GetProperty("hostname").GetString() == "e2e@ingest-tests" && w.GetProperty("status").GetString() == "online"),
                "the worker's worker-online event", TimeSpan.FromSeconds(90));

            using var client = Start("/usr/bin/python3", [dir.File("client.py")], dir.Path, env, redirectInput: true);
            var idsLine = await client.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var ids = JsonSerializer.Deserialize<Dictionary<string, string>>(idsLine!)!;

            var add = await StateAsync(http, ids["add"], "SUCCESS");
            Assert.Equal("e2etasks.add", add.GetProperty("name").GetString());
            Assert.Equal("(2, 3)", add.GetProperty("args").GetString());
            Assert.Equal("5", add.GetProperty("result").GetString());
            Assert.Equal("e2e@ingest-tests", add.GetProperty("worker").GetString());
            Assert.True(add.GetProperty("runtime_s").GetDouble() >= 0);

            var charge = await StateAsync(http, ids["charge"], "FAILURE");
            Assert.Equal("ValueError('card declined for order 12345')", charge.GetProperty("exception").GetString());
            Assert.Contains("ValueError: card declined for order 12345", charge.GetProperty("traceback").GetString(), StringComparison.Ordinal);
            Assert.Equal("(12345,)", charge.GetProperty("args").GetString());

            var flaky = await StateAsync(http, ids["flaky"], "SUCCESS");
            Assert.Equal(1, flaky.GetProperty("retries").GetInt32());
            Assert.Equal("'job-A ok after 1 retries'", flaky.GetProperty("result").GetString());

            var order = await StateAsync(http, ids["order"], "SUCCESS");
            Assert.Contains("'order_id': 12345", order.GetProperty("kwargs").GetString(), StringComparison.Ordinal);

            await StateAsync(http, ids["slow"], "STARTED");
            await client.StandardInput.WriteLineAsync("go");
            var slow = await StateAsync(http, ids["slow"], "REVOKED");
            Assert.True(slow.GetProperty("terminated").GetBoolean());
            Assert.Equal(15, slow.GetProperty("signum").GetInt32());
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
        }
    }

    private static async Task<JsonElement> StateAsync(HttpClient http, string id, string state)
    {
        JsonElement last = default;
        await Wait.UntilAsync(() =>
        {
            using var response = http.GetAsync($"/api/invocations/{id}").GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            last = response.Content.ReadFromJsonAsync<JsonElement>().GetAwaiter().GetResult();
            return last.GetProperty("state").GetString() == state;
        }, $"task {id} to be {state}", TimeSpan.FromSeconds(60));
        return last;
    }

    private static JsonElement Json(HttpClient http, string url) => http.GetFromJsonAsync<JsonElement>(url).GetAwaiter().GetResult();

    private static Process Start(string file, string[] args, string cwd, Dictionary<string, string> env, bool redirectInput = false)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = redirectInput, RedirectStandardInput = redirectInput, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        return Process.Start(psi)!;
    }
}
