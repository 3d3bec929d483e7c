using System.Security.Claims;
using Ingest.Security;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Security;

public sealed class SessionGuardTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static ClaimsPrincipal Session(SessionGuard guard, string method)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "ana@example.com"), new Claim(AuthSettings.MethodClaim, method)], "cookie");
        guard.Stamp(identity, null);
        return new ClaimsPrincipal(identity);
    }

    [Fact]
    public void Refusal_ACookieFromBeforeSessionsWereStamped_IsRefused_Issue24()
    {
        var guard = new SessionGuard(new FakeTimeProvider(Start), TimeSpan.FromHours(24), null);
        var old = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "sre"), new Claim(AuthSettings.MethodClaim, "password")], "cookie"));

        Assert.NotNull(guard.Refusal(old));
    }

    [Fact]
    public void Refusal_ASingleSignOnSession_ReadsUntilItsMaximumAge_ThenIsRefused()
    {
        var time = new FakeTimeProvider(Start);
        var guard = new SessionGuard(time, TimeSpan.FromHours(24), null);
        var session = Session(guard, "sso");

        time.Advance(TimeSpan.FromHours(23));
        Assert.Null(guard.Refusal(session));
        time.Advance(TimeSpan.FromHours(1));
        Assert.Contains("--session-max-hours", guard.Refusal(session), StringComparison.Ordinal);
    }

    [Fact]
    public void SignOut_ThisSessionIsRefused_AnotherOfTheSameUserIsNot()
    {
        var guard = new SessionGuard(new FakeTimeProvider(Start), TimeSpan.FromHours(24), null);
        var laptop = Session(guard, "sso");
        var phone = Session(guard, "sso");

        guard.SignOut(laptop);

        Assert.Equal("the session was signed out", guard.Refusal(laptop));
        Assert.Null(guard.Refusal(phone));
    }
}
