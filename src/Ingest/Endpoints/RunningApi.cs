using System.Globalization;
using Ingest.Insights;
using Ingest.Storage;
using Ingest.Storage.Reading;
using Ingest.Tracking;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ingest.Endpoints;

/// <summary>
/// <c>/api/in-flight</c>, the Running page's data (issue 25): what is received, started, retrying or waiting on an ETA
/// now, from the tracker (which holds the checkpoint's runs after a restart), by age, each with its task's baseline
/// and whether it is stuck.
/// </summary>
public static class RunningApi
{
    /// <summary>The pseudo-state of a received run whose ETA is still ahead.</summary>
    public const string WaitingEta = "ETA";

    private static readonly string[] s_states = [TaskStates.Received, TaskStates.Started, TaskStates.Retry, TaskStates.Pending, WaitingEta];

    /// <summary>
    /// A page of unfinished runs: at most <c>limit</c> (1-1000, default 100) and 4 MiB, oldest first (<c>sort=newest</c>
    /// for the reverse); <c>name</c> is a substring, <c>worker</c> and <c>queue</c> exact, <c>state</c> one of
    /// RECEIVED, STARTED, RETRY, PENDING or ETA.
    /// </summary>
    public static Results<Ok<RunningListView>, BadRequest<ErrorView>> ListInFlight(
        TaskTracker tracker,
        StuckBaselines baselines,
        RunningOptions options,
        TimeProvider time,
        IOptions<JsonOptions> json,
        string? limit = null,
        string? name = null,
        string? worker = null,
        string? queue = null,
        string? state = null,
        string? sort = null)
    {
        if (!ApiQuery.TryLimit(limit, 100, InvocationQuery.MaxLimit, out var count, out var error))
        {
            return TypedResults.BadRequest(new ErrorView(error));
        }

        var wanted = string.IsNullOrEmpty(state) ? null : state.Trim().ToUpperInvariant();
        if (wanted is not null && !s_states.Contains(wanted))
        {
            return TypedResults.BadRequest(new ErrorView($"unknown state '{state}'; expected one of {string.Join(", ", s_states)}"));
        }

        if (sort is not null and not "age" and not "newest")
        {
            return TypedResults.BadRequest(new ErrorView("sort must be age (oldest first) or newest"));
        }

        var now = ApiTime.Now(time);
        var filter = new InFlightFilter(new InvocationQuery
        {
            NameContains = string.IsNullOrEmpty(name) ? null : name,
            Worker = string.IsNullOrEmpty(worker) ? null : worker,
            Queue = string.IsNullOrEmpty(queue) ? null : queue,
        });
        string Classify(TaskMerge m) => IsWaitingEta(m.State, m.Eta, now) ? WaitingEta : m.State;
        var counts = tracker.CountInFlight(filter.Matches, Classify);
        var runs = tracker.FindInFlight(m => filter.Matches(m) && (wanted is null || Classify(m) == wanted), count, newestFirst: sort == "newest");

        var names = runs.Select(r => r.Name).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var p99 = baselines.P99Of(names, now);
        var budget = new PageBudget(json.Value.SerializerOptions);
        var items = runs.Select(r => View(r, now, p99, options.StuckFactor)).TakeWhile(budget.TryAdd).ToList();
        var total = wanted is null ? counts.Values.Sum() : counts.GetValueOrDefault(wanted);
        return TypedResults.Ok(new RunningListView(items, counts, total, options.StuckFactor));
    }

    /// <summary>One run with its age, its task's baseline and the stuck verdict, at <paramref name="now"/> (Unix seconds).</summary>
    public static RunningView View(InvocationRecord r, double now, IReadOnlyDictionary<string, double> p99, double factor)
    {
        var waiting = IsWaitingEta(r.State, r.Eta, now);
        double? baseline = r.Name is not null && p99.TryGetValue(r.Name, out var b) ? b : null;
        var stuckAfter = StuckBaselines.StuckAfter(baseline, factor);
        var age = Math.Max(0, now - r.StateAt);
        // Only a started run's age is a runtime: a received one waits for a slot, and an ETA is waited on by design.
        var stuck = !waiting && r.State == TaskStates.Started && stuckAfter is { } after && age > after;
        return new RunningView(InvocationView.From(r, "in_flight"), Math.Round(age, 3), waiting, baseline, stuckAfter, stuck);
    }

    /// <summary>Received, not started, with an ETA after <paramref name="now"/>.</summary>
    public static bool IsWaitingEta(string state, string? eta, double now) =>
        state == TaskStates.Received && eta is not null
        && DateTimeOffset.TryParse(eta, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
        && at.ToUnixTimeMilliseconds() / 1000.0 > now;
}
