using Ingest.Control;
using Ingest.Security;
using Ingest.Storage.Audit;
using Ingest.Tracking;
using Ingest.Web;
using Microsoft.Extensions.Options;

namespace Ingest.Endpoints.Flower;

/// <summary>
/// Flower's control routes under <c>/flower</c> (issue 27): POST with form or query parameters, Flower 2.1's names,
/// messages and status codes, through <see cref="IFleetControl"/>. Each call is checked by <see cref="ControlGate"/>
/// and audited, refusals included.
/// </summary>
public static class FlowerControlApi
{
    /// <summary>Where Flower's API is served: a script's base URL that was Flower's becomes <c>https://host/flower</c>.</summary>
    public const string Prefix = "/flower";

    public static IEndpointRouteBuilder MapFlowerControlApi(this IEndpointRouteBuilder app)
    {
        foreach (var (path, action) in FlowerActions.CommandRoutes)
        {
            // Open to the authorization middleware: the gate decides and audits, refusals included.
            app.MapPost(Prefix + path, (HttpContext http, string target) => CommandAsync(http, action, target)).AllowAnonymous();
        }

        app.MapPost(Prefix + "/api/task/send-task/{target}", (HttpContext http, string target) => FlowerTaskSender.SendAsync(http, FlowerActions.SendTask, target)).AllowAnonymous();
        app.MapPost(Prefix + "/api/task/async-apply/{target}", (HttpContext http, string target) => FlowerTaskSender.SendAsync(http, FlowerActions.AsyncApply, target)).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> CommandAsync(HttpContext http, string action, string target)
    {
        var args = await FlowerArgs.ReadAsync(http.Request, http.RequestAborted);
        var audit = http.RequestServices.GetRequiredService<ControlAudit>();
        var arguments = args.ToJson();
        if (await RefuseAsync(http, audit, action, target, arguments) is { } refused)
        {
            return refused;
        }

        var control = http.RequestServices.GetRequiredService<IOptions<ControlOptions>>().Value;
        var plan = FlowerControlPlans.For(action, target, args, http.RequestServices.GetRequiredService<WorkerRegistry>(),
            control);
        if (plan.Request is not { } request)
        {
            var outcome = plan.ErrorStatus == StatusCodes.Status403Forbidden ? AuditOutcomes.Refused : AuditOutcomes.Invalid;
            return Answer(http, audit, action, target, arguments, outcome, plan.ErrorStatus, plan.Error!);
        }

        ControlResult result;
        try
        {
            var fleet = http.RequestServices.GetService<IFleetControl>();
            if (fleet is not { Available: true })
            {
                throw new ControlUnavailableException("no broker is configured to send commands through (--broker)");
            }

            // The operator's deadline (--control-timeout-s) where the command does not need a longer one of its own.
            result = await fleet.SendAsync(request with { Timeout = request.Timeout > ControlPlan.ReplyTimeout ? request.Timeout : control.Timeout }, http.RequestAborted);
        }
        catch (ControlUnavailableException e)
        {
            return Answer(http, audit, action, target, arguments, AuditOutcomes.Unavailable, StatusCodes.Status503ServiceUnavailable, e.Message);
        }

        var (ok, message) = plan.Describe(result);
        var status = ok ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden;
        audit.Record(http, action, target, arguments, ok ? AuditOutcomes.Done : AuditOutcomes.Failed, status, ok ? null : message, result);
        return Results.Json(new FlowerControlView(message, ControlAudit.RepliesOf(result), result.Missing), statusCode: status);
    }

    /// <summary>The gate's refusal, audited and answered (a 401 by the challenge, so it carries WWW-Authenticate); null to go on.</summary>
    internal static async Task<IResult?> RefuseAsync(HttpContext http, ControlAudit audit, string action, string target, string arguments)
    {
        if (await ControlGate.CheckAsync(http) is not { } refusal)
        {
            return null;
        }

        audit.Record(http, action, target, arguments, refusal.Outcome, refusal.Status, refusal.Reason ?? "a credential is required");
        return refusal.Reason is null
            ? Results.Challenge(null, [LocalAuthHandler.SchemeName])
            : Results.Json(new ErrorView(refusal.Reason), statusCode: refusal.Status);
    }

    /// <summary>A refusal or failure before anything was sent, audited and answered with its reason.</summary>
    internal static IResult Answer(HttpContext http, ControlAudit audit, string action, string target, string arguments, string outcome, int status, string reason)
    {
        audit.Record(http, action, target, arguments, outcome, status, reason);
        return Results.Json(new ErrorView(reason), statusCode: status);
    }
}
