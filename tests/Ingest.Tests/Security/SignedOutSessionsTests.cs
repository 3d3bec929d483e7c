using Ingest.Security;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Security;

public sealed class SignedOutSessionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public void Add_ASession_IsOnTheListUntilItWouldHaveEnded_ThenDropped()
    {
        var list = new SignedOutSessions(_time);

        list.Add("a", Start.AddHours(2));
        list.Add("b", Start.AddHours(24));
        list.Add("past", Start.AddHours(-1));

        Assert.True(list.Contains("a", Start.AddHours(2)));
        Assert.False(list.Contains("c", Start.AddHours(2)));
        Assert.Equal(2, list.Count);
        _time.Advance(TimeSpan.FromHours(3));
        list.Add("c", Start.AddHours(20));
        Assert.Equal(2, list.Count);
        Assert.True(list.Contains("b", Start.AddHours(24)));
    }

    [Fact]
    public void Add_WhenFull_LetsGoTheOneEndingFirst_AndRefusesEverySessionEndingNoLaterThanIt()
    {
        var list = new SignedOutSessions(_time, capacity: 2);
        list.Add("late", Start.AddHours(20));
        list.Add("early", Start.AddHours(5));

        list.Add("middle", Start.AddHours(10));

        Assert.Equal(2, list.Count);
        Assert.Equal(1, list.Evicted);
        // Closed when full: the one let go, and any session ending no later, stays refused.
        Assert.True(list.Contains("early", Start.AddHours(5)));
        Assert.True(list.Contains("signed-in-earlier", Start.AddHours(4)));
        Assert.False(list.Contains("signed-in-later", Start.AddHours(6)));
        Assert.True(list.Contains("middle", Start.AddHours(10)));
    }
}
