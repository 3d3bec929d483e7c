using Ingest.Insights;
using Ingest.Insights.Objectives;
using Ingest.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ingest.Endpoints;

/// <summary>
/// <c>/api/objectives</c>: the objectives of <c>--objectives FILE</c> and, per task they cover, the error budget left
/// over the objective's window and the burn rate over the range, fastest burning first; from the hourly rollups.
/// </summary>
public static class ObjectivesApi
{
    public static IEndpointRouteBuilder MapObjectivesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/objectives", ListObjectives).Takes("since", "until").Admitted();
        return app;
    }

    /// <summary>The range is whole hours, as for /api/tasks; each objective's window ends where it ends.</summary>
    public static Results<Ok<ObjectiveListView>, BadRequest<ErrorView>> ListObjectives(
        ObjectiveInsights objectives, TaskInsights insights, TimeProvider time, string? since = null, string? until = null)
    {
        var now = ApiTime.Now(time);
        if (!InsightsApi.TryRange(insights, now, since, until, out var from, out var to, out var error))
        {
            return TypedResults.BadRequest(error);
        }

        var tasks = objectives.Budgets(from, to);
        return TypedResults.Ok(new ObjectiveListView(
            ApiTime.Format(from)!,
            ApiTime.Format(to)!,
            [.. objectives.Objectives.Objectives.Select(o => new ObjectiveView(
                o.Name, o.Task, o.SuccessRate, o.Latency?.ToString(), ObjectiveDurations.Format(o.Window.TotalSeconds)))],
            [.. tasks.Select(t => new TaskBudgetView(
                t.Task, t.Objective.Name, t.BurnRate, t.BudgetLeft, t.BurnRate > 1,
                [.. t.Slis.Select(s => new SliBudgetView(s.Sli, s.Target, s.BurnRate, s.BudgetLeft, s.RangeGood, s.RangeBad, s.WindowGood, s.WindowBad))]))]));
    }
}
