using System.Globalization;
using StackExchange.Redis;

namespace Ingest.Sources.Redis;

/// <summary>A Celery Redis broker URL, read the way kombu reads it, and the channel names its events use.</summary>
public sealed record RedisBrokerUrl(ConfigurationOptions Options, int Database, string Display)
{
    /// <summary>Parses <c>redis://</c>, <c>rediss://</c> and <c>redis+socket://</c> URLs; false with a reason otherwise.</summary>
    public static bool TryParse(string url, out RedisBrokerUrl? parsed, out string error)
    {
        parsed = null;
        error = string.Empty;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss" or "redis+socket"))
        {
            error = $"'{url}' is not a redis://, rediss:// or redis+socket:// URL";
            return false;
        }

        var options = new ConfigurationOptions
        {
            // Keep trying while the broker is down, at start as later: Ingest's HTTP side runs meanwhile.
            AbortOnConnectFail = false,
            ConnectRetry = int.MaxValue,
            ConnectTimeout = 5000,
            KeepAlive = 15,
            ClientName = "ingest",
            ReconnectRetryPolicy = new ExponentialRetry(500, 30_000),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            var user = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                options.Password = Uri.UnescapeDataString(parts[1]);
                options.User = user.Length > 0 ? user : null; // redis://:password@host is password only
            }
            else
            {
                options.Password = user; // kombu reads a lone userinfo as the password
            }
        }

        var db = 0;
        if (uri.Scheme == "redis+socket")
        {
            options.EndPoints.Add(new System.Net.Sockets.UnixDomainSocketEndPoint(uri.AbsolutePath));
            var vhost = System.Web.HttpUtility.ParseQueryString(uri.Query)["virtual_host"];
            if (vhost is not null && !int.TryParse(vhost, NumberStyles.None, CultureInfo.InvariantCulture, out db))
            {
                error = $"virtual_host '{vhost}' in '{url}' is not a database number";
                return false;
            }
        }
        else
        {
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
            options.Ssl = uri.Scheme == "rediss";
            var path = uri.AbsolutePath.Trim('/');
            if (path.Length > 0 && !int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out db))
            {
                error = $"'{path}' in '{url}' is not a database number";
                return false;
            }
        }

        parsed = new RedisBrokerUrl(options, db, $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : ":" + uri.Port)}{uri.AbsolutePath}");
        return true;
    }

    /// <summary>
    /// The channel pattern kombu's fanout gives Celery's events: <c>{global_keyprefix}/{db}.celeryev/task.*</c> by
    /// default (<c>_get_publish_topic</c> in kombu/transport/redis.py), or every event with worker events on.
    /// </summary>
    public string ChannelPattern(RedisOptions o)
    {
        var topic = FanoutTopic(o, o.Exchange);
        return o.FanoutPatterns ? topic + (o.WorkerEvents ? "/*" : "/task.*") : topic;
    }

    /// <summary>
    /// The channel kombu publishes a fanout <paramref name="exchange"/>'s messages on when the routing key is empty
    /// (<c>{global_keyprefix}{fanout_prefix}{exchange}</c>): Celery's remote control, <c>/0.celery.pidbox</c> by default.
    /// </summary>
    public string FanoutTopic(RedisOptions o, string exchange)
    {
        var prefix = o.FanoutPrefix switch
        {
            "true" or "True" => $"/{Database}.",
            "false" or "False" or "" => string.Empty,
            var custom => custom.Replace("{db}", Database.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
        };
        return o.GlobalKeyPrefix + prefix + exchange;
    }
}
