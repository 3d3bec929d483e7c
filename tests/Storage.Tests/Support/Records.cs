namespace Ingest.Storage.Tests.Support;

internal static class Records
{
    public static double At(int year, int month, int day, int hour = 12, int minute = 0, double second = 0) =>
        (new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0) + second;

    public static InvocationRecord Finished(string id, string state, double at, string? name = "shop.process_order", string? kwargs = null) => new()
    {
        TaskId = id,
        State = state,
        StateAt = at,
        FinishedAt = at,
        StartedAt = at - 1,
        Name = name,
        Worker = "w1@host",
        Args = "()",
        Kwargs = kwargs ?? "{}",
        Result = state == TaskStates.Success ? "'ok'" : null,
        Exception = state == TaskStates.Failure ? "ValueError('boom')" : null,
        Traceback = state == TaskStates.Failure ? "Traceback (most recent call last):\nValueError: boom\n" : null,
        RuntimeSeconds = 1,
    };
}
