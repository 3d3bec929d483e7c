using Ingest.Control;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Control;

/// <summary>Two workers on the suite's Redis.</summary>
public sealed class RedisFleetFixture() : FleetFixture(RedisServer.Shared().Url, (url, options, registry) =>
    new RedisFleetControl(new Ingest.Sources.Redis.RedisOptions { Url = url }, options, registry, TimeProvider.System, NullLogger<RedisFleetControl>.Instance));
