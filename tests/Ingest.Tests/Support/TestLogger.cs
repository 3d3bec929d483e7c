using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Support;

internal static class TestLogger
{
    public static ILogger<T> For<T>() => NullLogger<T>.Instance;
}
