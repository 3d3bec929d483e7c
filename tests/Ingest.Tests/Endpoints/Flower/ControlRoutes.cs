using System.Text;
using Ingest.Endpoints.Flower;

namespace Ingest.Tests.Endpoints.Flower;

/// <summary>Every Flower control route with parameters a controller's call succeeds with, for the theories over all of them.</summary>
public static class ControlRoutes
{
    /// <summary>The path (with its query) and, for send-task and async-apply, the JSON body.</summary>
    public static TheoryData<string, string?> All => new()
    {
        { "/flower/api/task/revoke/3f1c7c9e-0000-4000-8000-000000000001?terminate=true", null },
        { "/flower/api/task/rate-limit/tasks.add?workername=celery%40worker1&ratelimit=10%2Fm", null },
        { "/flower/api/task/timeout/tasks.add?workername=celery%40worker1&soft=30&hard=100", null },
        { "/flower/api/worker/pool/grow/celery@worker1?n=2", null },
        { "/flower/api/worker/pool/shrink/celery@worker1?n=1", null },
        { "/flower/api/worker/pool/autoscale/celery@worker1?min=2&max=5", null },
        { "/flower/api/worker/pool/restart/celery@worker1", null },
        { "/flower/api/worker/queue/add-consumer/celery@worker1?queue=urgent", null },
        { "/flower/api/worker/queue/cancel-consumer/celery@worker1?queue=urgent", null },
        { "/flower/api/worker/shutdown/celery@worker2", null },
        { "/flower/api/task/send-task/tasks.add", """{"args": [1, 2]}""" },
        { "/flower/api/task/async-apply/tasks.add", """{"args": [1, 2], "kwargs": {"z": 3}}""" },
    };

    /// <summary>The audited action of a route's path.</summary>
    public static string ActionOf(string path)
    {
        var routes = FlowerActions.CommandRoutes.Append(("/api/task/send-task/{target}", FlowerActions.SendTask)).Append(("/api/task/async-apply/{target}", FlowerActions.AsyncApply));
        return routes.Single(r => path.StartsWith("/flower" + r.Item1.Replace("{target}", "", StringComparison.Ordinal), StringComparison.Ordinal)).Item2;
    }

    public static HttpRequestMessage Post(string path, string? json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = json is null ? new ByteArrayContent([]) : new StringContent(json, Encoding.UTF8, "application/json"),
        };
        return request;
    }
}
