using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Tests.Support;

namespace Ingest.Tests.Endpoints;

/// <summary>Failures with their words (issue 25): the type Celery's wrapper hid, and the message beside it.</summary>
public class FailureWordsApiTests
{
    /// <summary>A hard time limit as Celery 5 reports it: the wrapper's repr, the real class on the traceback's last line.</summary>
    public static object[] HardTimeLimit(double at) =>
    [
        new { type = "task-received", uuid = "hard-1", name = "reports.build", hostname = "celery@w1", timestamp = at - 2 },
        new
        {
            type = "task-failed", uuid = "hard-1", hostname = "celery@w1", timestamp = at,
            exception = "ExceptionWithTraceback()",
            traceback = "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/billiard/pool.py\", line 683, in on_hard_timeout\n"
                + "    raise TimeLimitExceeded(job._timeout)\nbilliard.exceptions.TimeLimitExceeded: TimeLimitExceeded(1,)\n",
        },
        new { type = "task-received", uuid = "plain-1", name = "billing.charge", hostname = "celery@w1", timestamp = at - 2 },
        new { type = "task-failed", uuid = "plain-1", hostname = "celery@w1", timestamp = at, exception = "ValueError('card 4242 declined')", traceback = "Traceback ...\nValueError: card 4242 declined\n" },
    ];

    [Fact]
    public async Task Failures_WrappedAndPlain_GroupByTheRealTypeWithTheNewestMessage_Issue25()
    {
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();
        var at = Fixtures.CaptureEnd.AddMinutes(4).ToUnixTimeMilliseconds() / 1000.0;
        using (var posted = await client.PostAsync("/api/events?wait=durable", JsonContent.Create(HardTimeLimit(at))))
        {
            posted.EnsureSuccessStatusCode();
        }

        var groups = (await client.GetFromJsonAsync<JsonElement>("/api/failures")).GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("name").GetString()!);
        var runs = (await client.GetFromJsonAsync<JsonElement>("/api/invocations?state=FAILURE")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("task_id").GetString()!);

        Assert.Equal("TimeLimitExceeded", groups["reports.build"].GetProperty("exception_type").GetString());
        Assert.Equal("billiard.exceptions.TimeLimitExceeded: TimeLimitExceeded(1,)", groups["reports.build"].GetProperty("exception_message").GetString());
        Assert.Equal("ValueError", groups["billing.charge"].GetProperty("exception_type").GetString());
        Assert.Equal("ValueError('card 4242 declined')", groups["billing.charge"].GetProperty("exception_message").GetString());
        Assert.Equal("TimeLimitExceeded", runs["hard-1"].GetProperty("exception_type").GetString());
        Assert.Equal("billiard.exceptions.TimeLimitExceeded: TimeLimitExceeded(1,)", runs["hard-1"].GetProperty("exception_message").GetString());
    }
}
