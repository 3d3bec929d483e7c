using Ingest.Hosting;

namespace Ingest.Tests.Support;

/// <summary>
/// The clock of tests that need time to pass (real brokers, a child process, the flush loop's own timing): it
/// starts five minutes after the fixture capture ends and runs at the wall clock's rate, so data dated from it
/// fall on the capture's day whatever the machine's calendar says (faketime +400d included). In-process hosts
/// use it directly; a child <c>serve</c> gets it through <c>--clock-start</c>'s setting when it starts.
/// </summary>
internal static class TestClock
{
    public static readonly AnchoredTimeProvider Moving = new(Fixtures.CaptureEnd.AddMinutes(5));

    public static DateTimeOffset Now => Moving.GetUtcNow();

    /// <summary>Now as Celery stamps events: Unix seconds, millisecond precision.</summary>
    public static double UnixSeconds => Now.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>The setting a child process is started with: this clock's reading at its start.</summary>
    public static string ChildSetting() => Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
