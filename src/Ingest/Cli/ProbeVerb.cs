using System.CommandLine;

namespace Ingest.Cli;

/// <summary>
/// <c>ingest probe [--url URL]</c>: exits 0 when the URL answers 2xx within 2 s, else 1. For the container's
/// HEALTHCHECK: the runtime image has no curl, and this needs nothing but the binary already there.
/// </summary>
internal static class ProbeVerb
{
    public static Command Build()
    {
        var url = new Option<string>("--url") { Description = "What to probe (default http://127.0.0.1:8080/healthz/live).", DefaultValueFactory = _ => "http://127.0.0.1:8080/healthz/live" };
        var command = new Command("probe", "Exit 0 if the URL answers 2xx within 2 s (a health check for containers without curl).") { url };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                using var response = await http.GetAsync(new Uri(result.GetValue(url)!), cancellationToken).ConfigureAwait(false);
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
            {
                await Console.Error.WriteLineAsync($"ingest probe: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
