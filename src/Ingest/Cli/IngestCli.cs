using System.CommandLine;
using Ingest.Hosting;
using Ingest.Storage;
using Microsoft.Extensions.Options;

namespace Ingest.Cli;

/// <summary>
/// The command line: <c>serve</c> (the default), <c>replay FILE</c>, <c>db info</c>, <c>db compact</c>, <c>objectives rules FILE</c>.
/// Every named option is a configuration key (see <see cref="SettingOption"/>); host settings can also be given
/// as <c>--Ingest:Section:Key=value</c>.
/// </summary>
public static class IngestCli
{
    public const string DefaultUrls = "http://localhost:8080";

    /// <summary>Not a setting of its own: resolved into the AMQP or the Redis source's URL by its scheme.</summary>
    internal const string BrokerKey = "Ingest:Broker";

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildCommand();
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            // The host handles SIGTERM/Ctrl+C itself and drains; and WebApplicationFactory's stop signal must reach it.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        if (parse.Errors.Count > 0)
        {
            // One line per mistake and exit 2, as for every other bad setting (not help text and exit 1).
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"ingest: {error.Message} (see ingest --help)").ConfigureAwait(false);
            }

            return 2;
        }

        if (parse.Action is System.CommandLine.Help.HelpAction)
        {
            // Serve passes host settings (--Ingest:Section:Key=value) through as unmatched tokens, so the parser
            // ends its help with a generic "Additional Arguments" section that tells an operator nothing: cut it.
            using var help = new StringWriter();
            invocation.Output = help;
            var code = await parse.InvokeAsync(invocation).ConfigureAwait(false);
            var text = help.ToString();
            var cut = text.IndexOf("Additional Arguments:", StringComparison.Ordinal);
            await Console.Out.WriteAsync(cut < 0 ? text : text[..cut].TrimEnd() + Environment.NewLine).ConfigureAwait(false);
            return code;
        }

        return await parse.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>Prints a configuration failure as one line per setting and returns 2, or returns null if it is not one.</summary>
    internal static int? ReportConfigurationError(Exception error, string verb, IEnumerable<SettingOption> flags)
    {
        if (ConfigurationErrors.Describe(error, flags) is not { } lines)
        {
            return null;
        }

        foreach (var line in lines)
        {
            Console.Error.WriteLine($"{verb}: invalid configuration: {line}");
        }

        return 2;
    }

    internal static RootCommand BuildCommand()
    {
        var (db, pipeline, serveOnly) = Settings();
        var root = new RootCommand("Ingest: keeps every Celery task invocation queryable, on one SQLite file. With no verb, runs serve.");
        AddServe(root, [db, .. pipeline, .. serveOnly]);
        var serve = new Command("serve", "Run the service (the default): the console and API; the broker's event stream (RabbitMQ or Redis) when a broker URL is given; POST /api/events with --http-ingest.");
        AddServe(serve, [db, .. pipeline, .. serveOnly]);
        root.Add(serve);
        root.Add(ReplayCommand(db, pipeline));
        root.Add(DbVerbs.Build());
        root.Add(ProbeVerb.Build());
        root.Add(ObjectivesVerb.Build());
        return root;
    }

    /// <summary>Every named setting <c>serve</c> takes (replay takes the first two groups).</summary>
    internal static (SettingOption Db, SettingOption[] Pipeline, SettingOption[] ServeOnly) Settings()
    {
        var db = SettingOption.Text("--db", "Ingest:Storage:DatabasePath", $"SQLite file (default {StorageOptions.DefaultDatabasePath}).");
        var pipeline = new[]
        {
            SettingOption.Int("--channel-capacity", "Ingest:Pipeline:ChannelCapacity", "Records queued before the oldest is dropped (default 100000)."),
            SettingOption.Int("--batch-size", "Ingest:Pipeline:BatchSize", "Records per transaction (default 2000)."),
            SettingOption.Milliseconds("--batch-wait-ms", "Ingest:Pipeline:MaxBatchWait", "Longest wait to fill a batch, ms (default 200)."),
            SettingOption.Seconds("--stall-threshold-s", "Ingest:Pipeline:StallThreshold", "No flush this long with a backlog = degraded, s (default 30)."),
            SettingOption.Int("--max-tasks", "Ingest:Tracker:MaxTasks", "Tasks tracked in memory at once (default 100000)."),
            SettingOption.Text("--stuck-factor", "Ingest:Running:StuckFactor", "A started run is stuck past this many times its task's p99 runtime of the last 7 days (default 3)."),
            SettingOption.Int("--max-memory-mb", "Ingest:Pipeline:MaxMemoryMb", "Memory budget for the text in flight (tracker, channel, batch), MiB (default 80)."),
            SettingOption.Seconds("--idle-timeout-s", "Ingest:Tracker:IdleTimeout", "A task silent this long is written with its last state, s (default 3600)."),
            SettingOption.Int("--retention-days", "Ingest:Retention:Days", "Days kept, today included (default 7)."),
            SettingOption.Int("--detail-days", "Ingest:Retention:DetailDays", "Days args, kwargs, result and traceback (and their search index) are kept, today included; older days keep rows and rollups (default 0: as long as rows)."),
            SettingOption.Int("--detail-sample", "Ingest:Pipeline:DetailSample", "A task running above this many runs a minute keeps the details of about this many successes a minute; failures and retries keep all (default 0: off)."),
            SettingOption.Flag("--no-compress-details", "Ingest:Storage:CompressDetails", "Store the args, kwargs, result and traceback of new SQLite days as text, not compressed with a zstd dictionary per day (the default: 676 -> 439 bytes an invocation on the spike capture).", setsTo: false),
            SettingOption.Long("--max-db-bytes", "Ingest:Retention:MaxDatabaseBytes", "Cap on bytes in use; oldest days are dropped over it (default 0: none)."),
            SettingOption.Long("--min-free-disk-bytes", "Ingest:Retention:MinFreeDiskBytes", "Free space to keep on the volume (default 0: off)."),
            SettingOption.Seconds("--retention-delay-s", "Ingest:Retention:FirstDropDelay", "No day is dropped until this long after start, s (default 0)."),
            SettingOption.Text("--redact-keys", "Ingest:Decoder:RedactKeys", "Words; values of keys containing one are masked in args, kwargs and result (default password,secret,token,... ; none: off)."),
            SettingOption.Seconds("--max-future-skew-s", "Ingest:Decoder:MaxFutureSkew", "Event times further ahead of arrival are re-dated to it and counted, s (default 300, at most 86400: partitions go no further than tomorrow)."),
            SettingOption.Text("--worker-group-pattern", "Ingest:Storage:WorkerGroupPattern", "Regex whose first group is a worker's group (default: Kubernetes pod and process suffixes stripped)."),
            SettingOption.Text("--clock-start", Hosting.AnchoredTimeProvider.SettingKey, "Start the clock at this UTC instant (ISO 8601), then run it at the wall clock's rate: a dated capture served as if live (default: the system clock)."),
            SettingOption.Milliseconds("--vacuum-step-ms", "Ingest:Retention:VacuumStepBudget", "Time budget of one incremental-vacuum step, ms (default 50)."),
            SettingOption.Text("--clickhouse", "Ingest:ClickHouse:Url", "Store task data in ClickHouse instead of SQLite: http[s]://[user@]host:8123/database (preview; default: off)."),
            SettingOption.Text("--clickhouse-password-file", "Ingest:ClickHouse:PasswordFile", "File holding the ClickHouse user's password (default: none)."),
            SettingOption.Text("--clickhouse-cluster", "Ingest:ClickHouse:Cluster", "ClickHouse cluster: tables ON CLUSTER, replicated, with a Distributed table on top (default: one server)."),
        };
        var serveOnly = new[]
        {
            SettingOption.Text("--broker", BrokerKey, "Celery's broker URL: amqp://, amqps://, redis://, rediss:// or redis+socket:// (default: CELERY_BROKER_URL, else off)."),
            SettingOption.Text("--amqp", "Ingest:Amqp:Url", "RabbitMQ URL to consume celeryev from, amqp://user:pass@host:5672/vhost (default: off)."),
            SettingOption.Text("--redis-worker-events", "Ingest:Redis:WorkerEvents", "On Redis, subscribe to worker events (heartbeats) too, for the Workers page: true or false (default true)."),
            SettingOption.Text("--amqp-bindings", "Ingest:Amqp:Bindings", "Binding keys on celeryev, comma-separated (default #; task.# skips heartbeats)."),
            SettingOption.Text("--amqp-queue", "Ingest:Amqp:Queue", "This instance's queue (default ingest.<machine name>.<hash of the database path>)."),
            SettingOption.Seconds("--control-timeout-s", "Ingest:Control:Timeout", "How long workers' replies to a remote-control command are awaited, s (default 1, 0.1 to 60)."),
            SettingOption.Flag("--allow-shutdown", "Ingest:Control:AllowShutdown", "Let the control role shut workers down (refused by default: nothing restarts them but their supervisor)."),
            SettingOption.Seconds("--queue-sample-s", "Ingest:QueueSampling:Interval", "Broker queue lengths are sampled this often, s (default 15; 0: off)."),
            SettingOption.Text("--sample-queues", "Ingest:QueueSampling:Queues", "Queues always sampled, comma-separated, besides those task events name (default celery)."),
            SettingOption.Int("--read-concurrency", "Ingest:Reads:Concurrency", "Heavy reads (lists, stats, search, failures, facets) run at once; others wait (default 2 x cores, 2 to 8)."),
            SettingOption.Int("--read-queue", "Ingest:Reads:QueueLength", "Heavy reads that may wait for a slot; one more gets 503 with Retry-After (default 16)."),
            SettingOption.Seconds("--read-queue-timeout-s", "Ingest:Reads:QueueTimeout", "Longest wait for a read slot before 503, s (default 10)."),
            SettingOption.Seconds("--read-time-limit-s", "Ingest:Reads:StatementTimeLimit", "A SQLite read running longer is interrupted and answered 503, s (default 10)."),
            SettingOption.Int("--max-wal-mb", "Ingest:Health:MaxWalMb", "The WAL over this many MiB = degraded, with its size and the frames a checkpoint could not copy (default 256)."),
            SettingOption.Seconds("--max-read-age-s", "Ingest:Health:MaxReadAge", "A read open this long = degraded, with its age, s (default 60)."),
            SettingOption.Text("--objectives", Hosting.ObjectivesRegistration.SettingKey, "Per-task objectives file (JSON): SLI series, budgets in the console, the regression verdict (default: none)."),
            SettingOption.Text("--urls", "urls", $"HTTP listen addresses (default {DefaultUrls}, or ASPNETCORE_URLS)."),
            SettingOption.Flag("--no-auth", "Ingest:Auth:Disabled", "Serve every route without a credential (only on a trusted network)."),
            SettingOption.Text("--users-file", "Ingest:Auth:UsersFile", "htpasswd file of bcrypt hashes (htpasswd -B); its users may read (default: FILE.users beside the database, made on first start)."),
            SettingOption.Flag("--http-ingest", "Ingest:Auth:HttpIngest", "Accept events on POST /api/events (off by default; needs --ingest-token-file unless --no-auth)."),
            SettingOption.Text("--ingest-token-file", "Ingest:Auth:IngestTokenFile", "File holding the bearer token that may POST /api/events."),
            SettingOption.Text("--oidc-authority", "Ingest:Auth:OidcAuthority", "OpenID Connect issuer URL: UI sign-in and bearer tokens for the API."),
            SettingOption.Text("--oidc-client-id", "Ingest:Auth:OidcClientId", "OpenID Connect client id (also the audience API tokens must carry)."),
            SettingOption.Text("--oidc-client-secret-file", "Ingest:Auth:OidcClientSecretFile", "File holding the OpenID Connect client secret."),
            SettingOption.Text("--oidc-allowed-groups", "Ingest:Auth:OidcAllowedGroups", "Comma-separated groups (the groups claim) whose members may read."),
            SettingOption.Text("--oidc-allowed-emails", "Ingest:Auth:OidcAllowedEmails", "Comma-separated addresses, or @domain, that may read."),
            SettingOption.Text("--control-users", "Ingest:Auth:ControlUsers", "Comma-separated users (users file or auth proxy) who may act on workers: revoke, limits, pools, consumers, send-task (default: nobody)."),
            SettingOption.Text("--oidc-control-groups", "Ingest:Auth:OidcControlGroups", "Comma-separated groups whose members may read and act on workers (default: none)."),
            SettingOption.Text("--auth-proxy-header", "Ingest:Auth:ProxyUserHeader", "User header set by an authenticating proxy (X-Forwarded-User, X-Auth-Request-User)."),
            SettingOption.Text("--trusted-proxies", "Ingest:Http:TrustedProxies", "Addresses or CIDR ranges of reverse proxies whose X-Forwarded-Proto is believed (TLS terminated in front of Ingest); default loopback only."),
            SettingOption.Text("--auth-proxy-from", "Ingest:Auth:ProxyFrom", "Comma-separated proxy addresses or CIDR ranges the header is trusted from."),
            SettingOption.Int("--session-max-hours", "Ingest:Auth:SessionMaxHours", "A UI session ends this long after its sign-in, however often it is used, h (default 24)."),
        };

        return (db, pipeline, serveOnly);
    }

    private static void AddServe(Command command, SettingOption[] settings)
    {
        foreach (var s in settings)
        {
            command.Add(s.Option);
        }

        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!TrySplitHostArgs(result.UnmatchedTokens, out var hostArgs, out var error))
            {
                await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                return 2;
            }

            // Only what was given: a default here would override every other configuration source.
            if (Collect(result, settings, "ingest") is not { } values)
            {
                return 2;
            }

            if (ResolveBroker(values) is { } brokerError)
            {
                await Console.Error.WriteLineAsync($"ingest: invalid configuration: {brokerError}").ConfigureAwait(false);
                return 2;
            }

            if (!values.ContainsKey("urls") && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null
                && !hostArgs.Any(a => a.StartsWith("--urls", StringComparison.OrdinalIgnoreCase)))
            {
                values["urls"] = DefaultUrls;
            }

            WebApplication app;
            try
            {
                app = IngestApp.Build(hostArgs, values);
                // Validate before the host starts, so a bad setting is one clear line, not a logged stack trace.
                app.Services.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (Exception e) when (ReportConfigurationError(e, "ingest", settings) is { } code)
            {
                return code;
            }

            try
            {
                // One process per file, taken before anything opens it, held until the process ends.
                using var owner = DatabaseLock.Acquire(app.Services.GetRequiredService<StorageOptions>().DatabasePath, "serve", TimeProvider.System);
                await using (app.ConfigureAwait(false))
                {
                    await RunUntilStoppedAsync(app).ConfigureAwait(false);
                }

                return 0;
            }
            catch (DatabaseLockedException e)
            {
                await Console.Error.WriteLineAsync($"ingest: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException or Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Another process has the port: one line, not a stack trace.
                await Console.Error.WriteLineAsync($"ingest: cannot listen: {e.Message} (choose another with --urls)").ConfigureAwait(false);
                return 2;
            }
        });
    }

    /// <summary>
    /// Starts the host and waits for its stop, as <c>RunAsync</c> does, except for a stop that arrives while it is still
    /// starting. Issue 24: SIGTERM in the first half second cancelled Kestrel's bind, <c>RunAsync</c> rethrew the
    /// TaskCanceledException unhandled and the process ended in SIGABRT (exit 134), after disposing the host without
    /// stopping it: the flush loop was left to drain on a background thread the exit could cut. A stop asked for is a
    /// stop: whatever started is stopped (the flush loop drains) and the process exits 0.
    /// </summary>
    internal static async Task RunUntilStoppedAsync(WebApplication app)
    {
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }

        // Waits for the stop (SIGTERM, Ctrl+C), then stops the host: the flush loop drains within its budget.
        await app.WaitForShutdownAsync().ConfigureAwait(false);
    }

    private static Command ReplayCommand(SettingOption db, SettingOption[] pipeline)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A capture in the messages.jsonl format (one AMQP message per line, body in body_b64)." };
        var json = new Option<bool>("--json") { Description = "Print the counters as JSON." };
        var shift = new Option<bool>("--shift-to-now") { Description = "Move every event by the same amount so that the capture ends now (a demo that today's pages show)." };
        var command = new Command("replay", "Push a capture through the decoder, tracker, channel and flush loop, drain, and print the counters.")
        {
            file, json, shift, db.Option,
        };
        foreach (var s in pipeline)
        {
            command.Add(s.Option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var input = result.GetRequiredValue(file);
            if (!input.Exists)
            {
                await Console.Error.WriteLineAsync($"ingest replay: no such file: {input.FullName}").ConfigureAwait(false);
                return 2;
            }

            if (Collect(result, [db, .. pipeline], "ingest replay") is not { } values)
            {
                return 2;
            }

            // A replay never deletes what it has just written: days past retention are left to the next serve
            // (which it names), unless Ingest__Retention__DropDays=true in the environment asks for serve's behaviour.
            if (Environment.GetEnvironmentVariable("Ingest__Retention__DropDays") is null)
            {
                values["Ingest:Retention:DropDays"] = "false";
            }

            // A capture's unfinished tasks are history: not restored into the next serve as if still running.
            values["Ingest:Pipeline:KeepInFlightAtShutdown"] = "false";

            return await ReplayVerb.RunAsync(input, values, [db, .. pipeline], result.GetValue(json), result.GetValue(shift), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// <c>--broker URL</c>, or Celery's own <c>CELERY_BROKER_URL</c>, sets the source its scheme names (an explicit
    /// <c>--amqp</c> or <c>Ingest:Redis:Url</c> wins). Returns an error, or null.
    /// </summary>
    internal static string? ResolveBroker(Dictionary<string, string?> values)
    {
        values.Remove(BrokerKey, out var given);
        var url = given ?? Environment.GetEnvironmentVariable("CELERY_BROKER_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var scheme = url.Split("://", 2)[0].ToLowerInvariant();
        switch (scheme)
        {
            case "amqp" or "amqps" or "pyamqp":
                values.TryAdd("Ingest:Amqp:Url", scheme == "pyamqp" ? "amqp" + url[scheme.Length..] : url);
                return null;
            case "redis" or "rediss" or "redis+socket":
                values.TryAdd("Ingest:Redis:Url", url);
                return null;
            default:
                return $"{(given is null ? "CELERY_BROKER_URL" : "--broker")} '{url}': Ingest reads amqp://, amqps://, redis://, rediss:// and redis+socket:// brokers";
        }
    }

    /// <summary>The settings given on the command line, or null after one line per bad value (the caller exits 2).</summary>
    internal static Dictionary<string, string?>? Collect(ParseResult result, IEnumerable<SettingOption> settings, string verb, TextWriter? error = null)
    {
        error ??= Console.Error;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var bad = false;
        foreach (var s in settings)
        {
            if (s.Collect(result, values) is { } problem)
            {
                error.WriteLine($"{verb}: invalid configuration: {problem}");
                bad = true;
            }
        }

        return bad ? null : values;
    }

    /// <summary>
    /// Tokens the named options did not take must be host settings: <c>--Section:Key=value</c>, or the host's own
    /// keys (environment, contentRoot, applicationName, urls) that WebApplicationFactory and operators pass.
    /// Anything else is a typo, and a typo should not silently become a setting nobody reads.
    /// </summary>
    internal static bool TrySplitHostArgs(IReadOnlyList<string> tokens, out string[] hostArgs, out string error)
    {
        string[] hostKeys = ["environment", "contentRoot", "applicationName", "urls", "Ingest", "Logging", "Kestrel", "AllowedHosts"];
        var list = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var key = token.TrimStart('-').Split('=', 2)[0];
            var ok = token.StartsWith("--", StringComparison.Ordinal)
                && (key.Contains(':', StringComparison.Ordinal) || hostKeys.Contains(key, StringComparer.OrdinalIgnoreCase));
            if (!ok)
            {
                hostArgs = [];
                error = $"ingest: unknown option or argument '{token}' (see ingest --help)";
                return false;
            }

            list.Add(token);
            if (!token.Contains('=', StringComparison.Ordinal) && i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                list.Add(tokens[++i]);
            }
        }

        hostArgs = [.. list];
        error = string.Empty;
        return true;
    }
}
