using System.Text.Json;
using Ingest.Control;

namespace Ingest.Tests.Control;

/// <summary>The command catalog's argument checks (issue 27): pure, no broker.</summary>
public class ControlCommandsTests
{
    private static readonly ControlCommands s_commands = new(new ControlOptions { Timeout = TimeSpan.FromSeconds(2) });

    [Theory]
    [InlineData("revoke", """{"task_id": "abc", "terminate": true, "signal": "KILL"}""", "task_id=abc;terminate=True;signal=SIGKILL")]
    [InlineData("revoke", """{"task_id": "a, b"}""", "task_id=a,b")]
    [InlineData("rate_limit", """{"task_name": "app.add", "rate_limit": "10/m"}""", "task_name=app.add;rate_limit=10/m")]
    [InlineData("rate_limit", """{"task_name": "app.add", "rate_limit": 0}""", "task_name=app.add;rate_limit=0")]
    [InlineData("time_limit", """{"task_name": "app.add", "soft": "30", "hard": 60}""", "task_name=app.add;soft=30;hard=60")]
    [InlineData("pool_grow", "{}", "n=1")]
    [InlineData("pool_shrink", """{"n": "3"}""", "n=3")]
    [InlineData("autoscale", """{"max": 10, "min": 2}""", "max=10;min=2")]
    [InlineData("add_consumer", """{"queue": "q1", "exchange_type": "DIRECT"}""", "queue=q1;exchange_type=direct")]
    [InlineData("cancel_consumer", """{"queue": "q1"}""", "queue=q1")]
    [InlineData("pool_restart", """{"modules": ["app.tasks"], "reload": "yes"}""", "modules=app.tasks;reload=True")]
    [InlineData("registered", """{"taskinfoitems": ["rate_limit"]}""", "taskinfoitems=rate_limit")]
    [InlineData("conf", """{"with_defaults": false}""", "with_defaults=False")]
    [InlineData("query_task", """{"ids": ["x", "y"]}""", "ids=x,y")]
    [InlineData("ping", "{}", "")]
    public void TryCreate_ValidArguments_SendsThemAsCeleryTakesThem_Issue27(string command, string json, string expected)
    {
        Assert.True(s_commands.TryCreate(command, Arguments(json), null, null, out var request, out var error), error);

        Assert.Equal(command, request!.Command);
        Assert.Equal(expected, string.Join(';', request.Arguments.Select(a => $"{a.Key}={Show(a.Value)}")));
        Assert.True(request.ExpectReply);
        Assert.Null(request.Destination);
    }

    [Theory]
    [InlineData("kill_all", "{}", "'kill_all' is not a command")]
    [InlineData("revoke", "{}", "revoke: task_id is required")]
    [InlineData("revoke", """{"task_id": "a b"}""", "task_id must be 1 to 1000 names")]
    [InlineData("revoke", """{"task_id": "a", "signal": "SIGKILL"}""", "signal is only sent with terminate=true")]
    [InlineData("revoke", """{"task_id": "a", "terminate": true, "signal": "SIGSEGV"}""", "signal must be one of SIGTERM")]
    [InlineData("revoke", """{"task_id": "a", "terminate": "maybe"}""", "terminate must be true or false")]
    [InlineData("revoke", """{"task_id": "a", "termnate": true}""", "unknown argument termnate")]
    [InlineData("rate_limit", """{"task_name": "app.add", "rate_limit": "fast"}""", "rate_limit must be a number of tasks per second")]
    [InlineData("rate_limit", """{"rate_limit": "1/s"}""", "task_name is required")]
    [InlineData("time_limit", """{"task_name": "app.add", "soft": 90, "hard": 60}""", "soft must not be more than hard")]
    [InlineData("time_limit", """{"task_name": "app.add", "soft": -1}""", "soft must be a number from 0")]
    [InlineData("pool_grow", """{"n": 0}""", "n must be a number from 1 to 1000")]
    [InlineData("pool_shrink", """{"n": 1.5}""", "n must be a whole number from 1 to 1000")]
    [InlineData("autoscale", """{"max": 2, "min": 5}""", "min must not be more than max")]
    [InlineData("autoscale", """{"max": 2}""", "min is required")]
    [InlineData("add_consumer", """{"queue": "q", "exchange_type": "x-delayed"}""", "exchange_type must be one of direct, topic, fanout, headers")]
    [InlineData("cancel_consumer", "{}", "queue is required")]
    [InlineData("query_task", "{}", "ids is required")]
    public void TryCreate_BadArguments_RefusedWithASentence_Issue27(string command, string json, string expected)
    {
        Assert.False(s_commands.TryCreate(command, Arguments(json), null, null, out var request, out var error));

        Assert.Null(request);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_ShutdownWithoutAllowShutdown_Refused_Issue27()
    {
        Assert.False(s_commands.TryCreate("shutdown", null, ["w@h"], null, out _, out var error));

        Assert.Equal("shutdown is refused: Ingest was started without --allow-shutdown", error);
    }

    [Fact]
    public void TryCreate_ShutdownWithAllowShutdown_SentWithoutWaitingForAReply_Issue27()
    {
        var commands = new ControlCommands(new ControlOptions { AllowShutdown = true });

        Assert.True(commands.TryCreate("shutdown", null, ["w@h"], null, out var request, out var error), error);

        Assert.False(request!.ExpectReply);
        Assert.Equal(["w@h"], request.Destination);
    }

    [Fact]
    public void TryCreate_NoTimeoutGiven_TheConfiguredOneOrTheCommandsFloor_Issue27()
    {
        Assert.True(s_commands.TryCreate("stats", null, null, null, out var stats, out _));
        Assert.True(s_commands.TryCreate("pool_restart", null, null, null, out var restart, out _));
        Assert.True(s_commands.TryCreate("ping", null, null, TimeSpan.FromSeconds(7), out var ping, out _));

        Assert.Equal(TimeSpan.FromSeconds(2), stats!.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), restart!.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(7), ping!.Timeout);
    }

    [Theory]
    [InlineData("bad name@host")]
    [InlineData("")]
    public void TryCreate_BadDestination_Refused_Issue27(string worker)
    {
        Assert.False(s_commands.TryCreate("ping", null, [worker], null, out _, out var error));

        Assert.Contains("is not a worker name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_TimeoutOverAMinute_Refused_Issue27()
    {
        Assert.False(s_commands.TryCreate("ping", null, null, TimeSpan.FromMinutes(2), out _, out var error));

        Assert.Contains("timeout must be more than 0 and at most 60 s", error, StringComparison.Ordinal);
    }

    [Fact]
    public void All_EveryCommandTheIssueNames_IsInTheCatalog_Issue27()
    {
        string[] named = ["revoke", "rate_limit", "time_limit", "pool_grow", "pool_shrink", "autoscale", "add_consumer", "cancel_consumer", "pool_restart", "shutdown",
            "ping", "active", "reserved", "scheduled", "registered", "stats", "active_queues", "conf", "revoked", "query_task"];

        Assert.Equal(named.Order(StringComparer.Ordinal), ControlCommands.All.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(ControlCommands.All.Where(c => c.Kind == ControlKind.Inspect), c => Assert.True(c.ExpectReply));
    }

    private static Dictionary<string, object?> Arguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToDictionary(p => p.Key, p => (object?)p.Value);

    private static string Show(object? value) => value switch
    {
        IEnumerable<string> list => string.Join(',', list),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };
}
