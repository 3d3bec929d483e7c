using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ingest.Benchmarks;
using Ingest.Spike;
using Ingest.Storage;
using Ingest.Storage.Partitions;
using Ingest.Storage.Writing;

// spike run | seed | baseline. Every option states its default; duration 0 runs until Ctrl+C.
var target = new Option<string>("--target") { Description = "Ingest's base URL (default http://127.0.0.1:8080).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var amqp = new Option<string?>("--amqp") { Description = "Publish to this broker's celeryev instead of POSTing (default: HTTP)." };
var redisUrl = new Option<string?>("--redis") { Description = "Publish to this Redis broker as kombu does (redis://host:6379/0) instead of POSTing (default: HTTP)." };
var exchange = new Option<string>("--exchange") { Description = "Exchange for --amqp (default celeryev).", DefaultValueFactory = _ => "celeryev" };
var profileName = new Option<string>("--profile") { Description = "steady, incident or ramp (default incident).", DefaultValueFactory = _ => "incident" };
var rate = new Option<double>("--rate") { Description = "Steady rate, and the incident's baseline, tasks/min (default 13000).", DefaultValueFactory = _ => 13_000 };
var peak = new Option<double>("--peak") { Description = "The incident's spike, tasks/min (default 73000).", DefaultValueFactory = _ => 73_000 };
var compress = new Option<double>("--compress") { Description = "Divide the incident's durations (10 min before, 75 min spike, 10 min after) by this (default 15: 5 min spike).", DefaultValueFactory = _ => 15 };
var duration = new Option<double>("--duration-s") { Description = "Length of the steady profile, s; 0 = until Ctrl+C (default 60).", DefaultValueFactory = _ => 60 };
var rampStart = new Option<double>("--ramp-start") { Description = "Ramp start, tasks/min (default 30000).", DefaultValueFactory = _ => 30_000 };
var rampStep = new Option<double>("--ramp-step") { Description = "Ramp increment, tasks/min (default 30000).", DefaultValueFactory = _ => 30_000 };
var rampStepS = new Option<double>("--ramp-step-s") { Description = "Length of each ramp step, s (default 30).", DefaultValueFactory = _ => 30 };
var rampMax = new Option<double>("--ramp-max") { Description = "Ramp ceiling, tasks/min (default 600000).", DefaultValueFactory = _ => 600_000 };
var batch = new Option<int>("--batch") { Description = "Worker events per task.multi body (default 12).", DefaultValueFactory = _ => 12 };
var seed = new Option<int>("--seed") { Description = "Random seed (default 1).", DefaultValueFactory = _ => 1 };
var drain = new Option<double>("--drain-timeout-s") { Description = "How long to wait for Ingest to drain at the end, s (default 120).", DefaultValueFactory = _ => 120 };
var argsChars = new Option<int>("--args-chars") { Description = "Args and kwargs of this many characters each instead of realistic ones (default 0).", DefaultValueFactory = _ => 0 };
var unfinished = new Option<bool>("--unfinished") { Description = "Tasks are received and never finish: what the tracker must hold (with --args-chars 32000, issue 12's 3 GiB stream)." };
var failOnDrops = new Option<bool>("--fail-on-drops") { Description = "Exit 3 if any invocation was dropped (default off: drops are counted, overload is allowed)." };

var run = new Command("run", "Send traffic following a profile, print progress each second, check Ingest's counters at the end (exit 1 if the invariant breaks).")
{
    target, amqp, redisUrl, exchange, profileName, rate, peak, compress, duration, rampStart, rampStep, rampStepS, rampMax, batch, seed, drain, failOnDrops,
    argsChars, unfinished,
};
run.SetAction(async (r, ct) =>
{
    Profile profile = r.GetValue(profileName) switch
    {
        "steady" => new SteadyProfile(r.GetValue(rate), r.GetValue(duration) <= 0 ? null : TimeSpan.FromSeconds(r.GetValue(duration))),
        "ramp" => new RampProfile(r.GetValue(rampStart), r.GetValue(rampStep), TimeSpan.FromSeconds(r.GetValue(rampStepS)), r.GetValue(rampMax)),
        _ => new IncidentProfile(r.GetValue(rate), r.GetValue(peak), r.GetValue(compress), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(75), TimeSpan.FromMinutes(10)),
    };
    var url = new Uri(r.GetValue(target)!);
    await using ISender sender = r.GetValue(amqp) is { Length: > 0 } broker ? await AmqpSender.ConnectAsync(broker, r.GetValue(exchange)!)
        : r.GetValue(redisUrl) is { Length: > 0 } redis ? await RedisSender.ConnectAsync(redis, r.GetValue(exchange)!)
        : new HttpSender(url);
    using var probe = new IngestProbe(url);
    var traffic = new TaskTraffic(r.GetValue(seed), r.GetValue(batch), r.GetValue(argsChars), r.GetValue(unfinished));
    return await Runner.RunAsync(profile, sender, probe, traffic, TimeSpan.FromSeconds(r.GetValue(drain)), r.GetValue(failOnDrops), ct);
});

var db = new Option<string>("--db") { Description = "SQLite file to seed (created).", Required = true };
var rows = new Option<int>("--rows") { Description = "Rows in the old day (default 1000000).", DefaultValueFactory = _ => 1_000_000 };
var daysAgo = new Option<int>("--days-ago") { Description = "How old the day is (default 8: past a 7-day retention).", DefaultValueFactory = _ => 8 };
var seedCommand = new Command("seed", "Write a large old day into a database before a run (a retention drop is then due).") { db, rows, daysAgo };
seedCommand.SetAction(r =>
{
    var day = DayPartition.FromTime(DateTimeOffset.UtcNow.AddDays(-r.GetValue(daysAgo)));
    using var writer = new InvocationWriter(new StorageOptions { DatabasePath = r.GetValue(db)! });
    for (var done = 0; done < r.GetValue(rows); done += 10_000)
    {
        writer.WriteBatch(SampleInvocations.Generate(Math.Min(10_000, r.GetValue(rows) - done), day.StartUnixSeconds + 60 + (done * 0.0005), seed: done, prefix: "old"));
    }

    writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    Console.WriteLine($"seeded {r.GetValue(rows):N0} rows into partition {day} of {r.GetValue(db)}");
});

var seconds = new Option<double>("--seconds") { Description = "How long to run the raw insert loop (default 20).", DefaultValueFactory = _ => 20 };
var baselineBatch = new Option<int>("--batch-size") { Description = "Rows per transaction (default 2000, Ingest's default batch).", DefaultValueFactory = _ => 2000 };
var baseline = new Command("baseline", "The raw prepared insert loop of the same rows into a fresh file: rows/s, to divide Ingest's sustained rate by.") { seconds, baselineBatch };
baseline.SetAction(r =>
{
    var path = Path.Combine(Path.GetTempPath(), $"spike-baseline-{Environment.ProcessId}.db");
    var day = DayPartition.FromTime(DateTimeOffset.UtcNow);
    using var raw = new RawInsertLoop(path, day);
    var sw = Stopwatch.StartNew();
    long written = 0;
    while (sw.Elapsed.TotalSeconds < r.GetValue(seconds))
    {
        var chunk = SampleInvocations.Generate(r.GetValue(baselineBatch), day.StartUnixSeconds + written, seed: (int)written, prefix: "b");
        raw.WriteBatch(chunk);
        written += chunk.Count;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw insert loop: {written / sw.Elapsed.TotalSeconds:N0} rows/s ({written / sw.Elapsed.TotalSeconds * 60:N0}/min) over {sw.Elapsed.TotalSeconds:F0} s at {r.GetValue(baselineBatch)} rows per transaction"));
    File.Delete(path);
    File.Delete(path + "-wal");
    File.Delete(path + "-shm");
});

var tasks = new Option<int>("--tasks") { Description = "Tasks in the capture (default 300000).", DefaultValueFactory = _ => 300_000 };
var output = new Option<string>("--out") { Description = "Capture file to write (messages.jsonl format).", Required = true };
var capture = new Command("capture", "Write generated traffic as a capture (messages.jsonl format) for 'ingest replay': the pipeline's own ceiling, with no generator competing.") { tasks, output, seed, batch };
capture.SetAction(r =>
{
    var traffic = new TaskTraffic(r.GetValue(seed), r.GetValue(batch));
    var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    using var file = new StreamWriter(r.GetValue(output)!);
    var seq = 0;
    void Write(IEnumerable<(string RoutingKey, string Body)> bodies)
    {
        foreach (var (key, body) in bodies)
        {
            var b64 = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(body));
            file.WriteLine($"{{\"seq\": {++seq}, \"routing_key\": \"{key}\", \"body_b64\": \"{b64}\"}}");
        }
    }

    for (var done = 0; done < r.GetValue(tasks); done += 1000)
    {
        Write(traffic.Tasks(Math.Min(1000, r.GetValue(tasks) - done), start + (done * 0.001)));
    }

    Write(traffic.Flush());
    Console.WriteLine($"wrote {r.GetValue(tasks):N0} tasks in {seq:N0} messages to {r.GetValue(output)}");
});

var demoDays = new Option<double>("--days") { Description = "Days of history, ending now (default 7).", DefaultValueFactory = _ => 7 };
var demoRate = new Option<double>("--per-minute") { Description = "Average tasks per minute (default 40).", DefaultValueFactory = _ => 40 };
var demo = new Command("demo", "Write a week of a small fleet's history (tasks, queues, worker pods, failures, a regression) into a database, for screenshots and a first look.") { db, demoDays, demoRate, seed };
demo.SetAction(r =>
{
    var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    var start = end - (r.GetValue(demoDays) * 86400);
    using var writer = new InvocationWriter(new StorageOptions { DatabasePath = r.GetValue(db)! });
    long written = 0;
    foreach (var chunk in DemoHistory.Generate(start, end, r.GetValue(demoRate), r.GetValue(seed)))
    {
        writer.WriteBatch(chunk);
        written += chunk.Count;
    }

    foreach (var samples in DemoHistory.QueueSamples(start, end, r.GetValue(seed)))
    {
        writer.WriteQueueSamples(samples);
    }

    writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    Console.WriteLine($"wrote {written:N0} invocations over {r.GetValue(demoDays)} days into {r.GetValue(db)}");
});
var workersCommand = new Command("demo-workers", "Print the demo fleet's worker node names, one per line.");
workersCommand.SetAction(_ =>
{
    foreach (var w in DemoHistory.Workers())
    {
        Console.WriteLine(w);
    }
});

var root = new RootCommand("Spike: replays Celery traffic spikes against Ingest.") { run, seedCommand, baseline, capture, demo, workersCommand };
return await root.Parse(args).InvokeAsync();
