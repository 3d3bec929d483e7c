namespace Ingest.Storage.Tests;

public class TaskStatesTests
{
    // As Celery 5 sends a hard time limit: billiard raises in the pool, and the event carries the wrapper's repr.
    private const string HardTimeLimitTraceback = """
        Traceback (most recent call last):
          File "/usr/lib/python3/dist-packages/billiard/pool.py", line 683, in on_hard_timeout
            raise TimeLimitExceeded(job._timeout)
        billiard.exceptions.TimeLimitExceeded: TimeLimitExceeded(1,)

        """;

    [Fact]
    public void ExceptionTypeOf_WrappedHardTimeLimit_IsTheTracebacksLastClass_Issue25()
    {
        Assert.Equal("TimeLimitExceeded", TaskStates.ExceptionTypeOf("ExceptionWithTraceback()", HardTimeLimitTraceback));
        Assert.Equal("billiard.exceptions.TimeLimitExceeded: TimeLimitExceeded(1,)", TaskStates.ExceptionMessageOf("ExceptionWithTraceback()", HardTimeLimitTraceback));
    }

    [Fact]
    public void ExceptionTypeOf_UnwrappedException_KeepsItsReprsClass()
    {
        // A plain exception keeps its repr's class, whatever its traceback's last line says (a chained raise).
        Assert.Equal("ValueError", TaskStates.ExceptionTypeOf("ValueError('card declined')", HardTimeLimitTraceback));
        Assert.Equal("ValueError('card declined')", TaskStates.ExceptionMessageOf("ValueError('card declined')", HardTimeLimitTraceback));
        // A wrapper whose traceback names no class stays what it is.
        Assert.Equal("ExceptionWithTraceback", TaskStates.ExceptionTypeOf("ExceptionWithTraceback()", "Traceback (most recent call last):\n  File \"x\""));
    }
}
