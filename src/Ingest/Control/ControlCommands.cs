using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingest.Control;

/// <summary>
/// The remote-control commands Ingest sends (issue 27), with the arguments <c>celery/worker/control.py</c> takes for
/// each, checked here so that a bad value is refused with a sentence instead of reaching the fleet as a worker-side
/// error, or worse, as a value Celery accepts and misreads. Pure: no broker, no clock.
/// </summary>
public sealed partial class ControlCommands(ControlOptions options)
{
    /// <summary>Most workers one command may name.</summary>
    public const int MaxDestinations = 1000;

    /// <summary>Longest deadline a caller may ask for.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);

    // Signals a worker can send its pool process (celery.platforms.signals); Flower offers the same names.
    private static readonly string[] s_signals = ["SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGABRT"];

    private static readonly string[] s_exchangeTypes = ["direct", "topic", "fanout", "headers"];

    private static readonly ControlCommand[] s_all =
    [
        new("revoke", ControlKind.Control, "Workers drop the task if it has not started; with terminate, the process running it gets the signal (SIGTERM unless given)."),
        new("rate_limit", ControlKind.Control, "Workers run at most this many of the task per second, minute or hour (e.g. 10/m; 0 lifts the limit), until they restart."),
        new("time_limit", ControlKind.Control, "Workers give the task a soft (exception in the task) and a hard (process killed) time limit in seconds, until they restart."),
        new("pool_grow", ControlKind.Control, "Workers start n more pool processes."),
        new("pool_shrink", ControlKind.Control, "Workers stop n pool processes (after their current task)."),
        new("autoscale", ControlKind.Control, "Workers started with --autoscale keep between min and max pool processes."),
        new("add_consumer", ControlKind.Control, "Workers start consuming tasks from the queue."),
        new("cancel_consumer", ControlKind.Control, "Workers stop consuming tasks from the queue; tasks they hold finish."),
        new("pool_restart", ControlKind.Control, "Workers restart their pool processes (only with worker_pool_restarts enabled), reloading modules if asked.", MinimumTimeout: TimeSpan.FromSeconds(5)),
        new("shutdown", ControlKind.Control, "Workers finish their current tasks and exit; nothing restarts them but their supervisor. Refused unless --allow-shutdown.", ExpectReply: false),
        new("ping", ControlKind.Inspect, "Each worker answers pong."),
        new("active", ControlKind.Inspect, "The tasks each worker is running."),
        new("reserved", ControlKind.Inspect, "The tasks each worker has prefetched and not started."),
        new("scheduled", ControlKind.Inspect, "The tasks each worker holds for a later ETA or countdown."),
        new("registered", ControlKind.Inspect, "The task names each worker knows, with the attributes asked for (rate_limit, time_limit, ...)."),
        new("stats", ControlKind.Inspect, "Each worker's pool, broker, resource usage and task counts."),
        new("active_queues", ControlKind.Inspect, "The queues each worker consumes from."),
        new("conf", ControlKind.Inspect, "Each worker's configuration (defaults too if asked)."),
        new("revoked", ControlKind.Inspect, "The ids each worker holds as revoked."),
        new("query_task", ControlKind.Inspect, "What each worker knows of these task ids (active, reserved or scheduled)."),
    ];

    private static readonly Dictionary<string, ControlCommand> s_byName = s_all.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>Every command, controls first.</summary>
    public static IReadOnlyList<ControlCommand> All => s_all;

    /// <summary>The command named <paramref name="name"/>, or null.</summary>
    public static ControlCommand? Find(string name) => s_byName.GetValueOrDefault(name);

    /// <summary>
    /// Checks <paramref name="arguments"/> for <paramref name="command"/> and builds the request, with the configured
    /// deadline unless <paramref name="timeout"/> is given. False with a sentence naming the argument otherwise.
    /// </summary>
    public bool TryCreate(
        string command,
        IReadOnlyDictionary<string, object?>? arguments,
        IReadOnlyList<string>? destination,
        TimeSpan? timeout,
        out ControlRequest? request,
        out string error)
    {
        request = null;
        error = string.Empty;
        if (Find(command) is not { } known)
        {
            error = $"'{Truncate(command)}' is not a command Ingest sends; known: {string.Join(", ", s_all.Select(c => c.Name))}";
            return false;
        }

        if (known.Name == "shutdown" && !options.AllowShutdown)
        {
            error = "shutdown is refused: Ingest was started without --allow-shutdown";
            return false;
        }

        var reader = new ControlArgumentReader(command, arguments ?? new Dictionary<string, object?>());
        ReadArguments(known.Name, reader);
        reader.RefuseUnknown();
        var destinationError = CheckDestination(destination);
        var timeoutError = timeout is { } t && (t <= TimeSpan.Zero || t > MaxTimeout)
            ? $"timeout must be more than 0 and at most {MaxTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
            : null;
        if ((reader.Error ?? destinationError ?? timeoutError) is { } problem)
        {
            error = problem;
            return false;
        }

        var deadline = timeout ?? (options.Timeout > known.MinimumTimeout ? options.Timeout : known.MinimumTimeout);
        request = new ControlRequest(known.Name, reader.Values, destination is { Count: > 0 } ? [.. destination] : null, deadline, known.ExpectReply);
        return true;
    }

    private static void ReadArguments(string command, ControlArgumentReader r)
    {
        switch (command)
        {
            case "revoke":
                r.Names("task_id", required: true);
                var terminate = r.Bool("terminate");
                var signal = r.OneOf("signal", s_signals, s => s.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? s : "SIG" + s);
                if (signal is not null && terminate != true)
                {
                    r.Fail("signal is only sent with terminate=true");
                }

                break;
            case "rate_limit":
                r.Text("task_name", required: true);
                r.Matching("rate_limit", required: true, v => RateLimitPattern().IsMatch(v), "a number of tasks per second, or N/s, N/m or N/h (e.g. 10/m); 0 lifts the limit");
                break;
            case "time_limit":
                r.Text("task_name", required: true);
                var soft = r.Number("soft", required: false, 0, 7 * 86_400);
                var hard = r.Number("hard", required: false, 0, 7 * 86_400);
                if (soft > hard)
                {
                    r.Fail("soft must not be more than hard: the hard limit kills the process before the soft one could warn the task");
                }

                break;
            case "pool_grow" or "pool_shrink":
                r.Int("n", required: false, 1, 1000);
                r.Default("n", 1);
                break;
            case "autoscale":
                var max = r.Int("max", required: true, 1, 10_000);
                var min = r.Int("min", required: true, 0, 10_000);
                if (min > max)
                {
                    r.Fail("min must not be more than max");
                }

                break;
            case "add_consumer":
                r.Text("queue", required: true);
                r.Text("exchange", required: false);
                r.OneOf("exchange_type", s_exchangeTypes);
                r.Text("routing_key", required: false);
                break;
            case "cancel_consumer":
                r.Text("queue", required: true);
                break;
            case "pool_restart":
                r.Names("modules", required: false);
                r.Bool("reload");
                break;
            case "registered":
                r.Names("taskinfoitems", required: false);
                r.Bool("builtins");
                break;
            case "conf":
                r.Bool("with_defaults");
                break;
            case "active":
                r.Bool("safe");
                break;
            case "query_task":
                r.Names("ids", required: true);
                break;
        }
    }

    private static string? CheckDestination(IReadOnlyList<string>? destination)
    {
        if (destination is null)
        {
            return null;
        }

        if (destination.Count > MaxDestinations)
        {
            return $"at most {MaxDestinations} workers may be named at once";
        }

        var bad = destination.FirstOrDefault(d => d.Length == 0 || d.Length > ControlArgumentReader.MaxTextLength || d.Any(char.IsControl) || d.Any(char.IsWhiteSpace));
        return bad is null ? null : $"'{Truncate(bad)}' is not a worker name (name@host, at most {ControlArgumentReader.MaxTextLength} characters, no spaces)";
    }

    private static string Truncate(string text)
    {
        var clean = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? clean + "..." : clean;
    }

    // Celery's rate-limit grammar (celery.utils.time.rate): a number, optionally per s, m or h.
    [GeneratedRegex(@"^\d{1,9}(\.\d{1,6})?(/[smh])?$")]
    private static partial Regex RateLimitPattern();
}
