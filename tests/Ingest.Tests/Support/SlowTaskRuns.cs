using System.Globalization;
using System.Text;

namespace Ingest.Tests.Support;

/// <summary>
/// Events for the Running page's tests (issue 25): a baseline of thirty one-second runs of <c>shop.slow</c> in the
/// last hour (a p99 of about a second), then whatever runs a test adds, posted over HTTP and waited on until durable.
/// </summary>
public static class SlowTaskRuns
{
    /// <summary>The baseline's events as the start of a JSON array; a test appends its own and closes it with <see cref="PostAsync"/>.</summary>
    public static StringBuilder Baseline(double now)
    {
        var events = new StringBuilder("[");
        for (var i = 0; i < 30; i++)
        {
            var at = now - 3000 + (i * 60);
            events.Append(CultureInfo.InvariantCulture, $$"""{"type": "task-received", "uuid": "base-{{i}}", "name": "shop.slow", "timestamp": {{at}}},""");
            events.Append(CultureInfo.InvariantCulture, $$"""{"type": "task-started", "uuid": "base-{{i}}", "hostname": "w1@h", "timestamp": {{at + 0.1}}},""");
            events.Append(CultureInfo.InvariantCulture, $$"""{"type": "task-succeeded", "uuid": "base-{{i}}", "hostname": "w1@h", "runtime": 1.0, "timestamp": {{at + 1.1}}},""");
        }

        return events;
    }

    /// <summary>Closes the array (its last event must end with a comma or be complete) and posts it until durable.</summary>
    public static async Task PostAsync(HttpClient client, StringBuilder events)
    {
        var body = events.ToString().TrimEnd().TrimEnd(',') + "]";
        using var posted = await client.PostAsync("/api/events?wait=durable", new StringContent(body, Encoding.UTF8, "application/json"));
        posted.EnsureSuccessStatusCode();
    }
}
