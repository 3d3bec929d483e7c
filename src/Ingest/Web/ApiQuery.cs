using System.Globalization;
using Ingest.Web;

namespace Ingest.Web;

/// <summary>
/// The API's query-string contract, the same on every endpoint: a parameter an endpoint does not take is refused
/// with 400 naming it (issue 12: <c>queue=</c> was silently ignored, so a filtered page looked like an answer), and
/// <c>limit</c> is parsed and bounded in one place.
/// </summary>
internal static class ApiQuery
{
    public const int DefaultLimit = 50;

    /// <summary>Refuses, with 400 and the list of what it takes, any query parameter the endpoint does not take.</summary>
    public static RouteHandlerBuilder Takes(this RouteHandlerBuilder builder, params string[] names)
    {
        var allowed = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        return builder.AddEndpointFilter(async (context, next) =>
        {
            foreach (var key in context.HttpContext.Request.Query.Keys)
            {
                if (!allowed.Contains(key))
                {
                    var takes = names.Length == 0 ? "no query parameters" : string.Join(", ", names);
                    return TypedResults.BadRequest(new ErrorView($"unknown query parameter '{key}'; this endpoint takes {takes}"));
                }
            }

            return await next(context);
        });
    }

    /// <summary>Parses <c>limit</c>: absent gives <paramref name="fallback"/>; otherwise a whole number from 1 to <paramref name="max"/>.</summary>
    public static bool TryLimit(string? text, int fallback, int max, out int limit, out string error)
    {
        error = string.Empty;
        limit = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max)
        {
            return true;
        }

        error = $"limit must be a whole number from 1 to {max}";
        return false;
    }
}
