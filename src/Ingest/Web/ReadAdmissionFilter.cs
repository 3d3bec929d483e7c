using Ingest.Storage.Reading;
using Ingest.Web;

namespace Ingest.Web;

/// <summary>The endpoint filters that put a read route behind <see cref="ReadAdmission"/> and answer for its time limit.</summary>
internal static class ReadAdmissionFilter
{
    /// <summary>
    /// A heavy read: waits for a permit (503 with Retry-After when refused), runs, and writes its answer while still
    /// holding the permit: the answer's objects live until they are serialized, so releasing first would let reads pile
    /// up behind a slow client. A read past its time limit answers 503 too.
    /// </summary>
    public static RouteHandlerBuilder Admitted(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        var gate = http.RequestServices.GetRequiredService<ReadAdmission>();
        var (permit, refusal) = await gate.EnterAsync(http.RequestAborted);
        if (permit is null)
        {
            return Refuse(http, gate.Describe(refusal!));
        }

        using (permit)
        {
            try
            {
                var answer = await next(context);
                if (answer is IResult result)
                {
                    await result.ExecuteAsync(http);
                    return Results.Empty;
                }

                return answer;
            }
            catch (ReadTimeLimitExceededException e)
            {
                gate.CountTimeLimit();
                return Refuse(http, e.Message);
            }
        }
    });

    /// <summary>A light read (one invocation by id): not queued, but a read past its time limit still answers 503, not 500.</summary>
    public static RouteHandlerBuilder TimeLimited(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        try
        {
            return await next(context);
        }
        catch (ReadTimeLimitExceededException e)
        {
            context.HttpContext.RequestServices.GetRequiredService<ReadAdmission>().CountTimeLimit();
            return Refuse(context.HttpContext, e.Message);
        }
    });

    private static IResult Refuse(HttpContext http, string reason)
    {
        http.Response.Headers.RetryAfter = ReadAdmission.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new ErrorView(reason), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
