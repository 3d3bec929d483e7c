using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;

namespace Ingest.Security;

/// <summary>
/// Keeps a UI session from outliving its credential (issue 24: a cookie still read after sign-out, after its user
/// was removed from the users file and after the password changed, and its sliding idle expiry kept a used one
/// alive for ever). A session carries an id, the time of its sign-in and, for a password sign-in, the user's
/// credential stamp; each request checks them against the sign-out list, <c>--session-max-hours</c> and the users
/// file as it is now. Single sign-on sessions are not refreshed from the issuer, so a user taken out of an allowed
/// group keeps a session until its maximum age: that age is their only bound.
/// </summary>
public sealed class SessionGuard
{
    public const string IdClaim = "ingest:sid";
    public const string SignedInClaim = "ingest:signed-in";
    public const string StampClaim = "ingest:stamp";

    private readonly TimeProvider _time;
    private readonly HtpasswdUsers? _users;

    public SessionGuard(TimeProvider time, TimeSpan maxAge, HtpasswdUsers? users)
    {
        _time = time;
        _users = users;
        MaxAge = maxAge;
        SignedOut = new SignedOutSessions(time);
    }

    /// <summary>The longest a session lasts from its sign-in, used or not.</summary>
    public TimeSpan MaxAge { get; }

    public SignedOutSessions SignedOut { get; }

    /// <summary>Marks a new session: its id, its sign-in time and, when signed in with a password, the user's stamp.</summary>
    public void Stamp(ClaimsIdentity identity, string? credentialStamp)
    {
        identity.AddClaim(new Claim(IdClaim, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));
        identity.AddClaim(new Claim(SignedInClaim, _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        if (credentialStamp is not null)
        {
            identity.AddClaim(new Claim(StampClaim, credentialStamp));
        }
    }

    /// <summary>Why this session may no longer be used, or null while it may.</summary>
    public string? Refusal(ClaimsPrincipal session)
    {
        if (!TryRead(session, out var id, out var end))
        {
            // A cookie from before sessions were stamped has no age to bound: its user signs in again, once.
            return "the session has no sign-in time";
        }

        if (_time.GetUtcNow() >= end)
        {
            return $"the session is older than {MaxAge.TotalHours:0.##} h (--session-max-hours)";
        }

        if (SignedOut.Contains(id, end))
        {
            return "the session was signed out";
        }

        if (session.FindFirst(AuthSettings.MethodClaim)?.Value != "password")
        {
            return null;
        }

        var name = session.Identity?.Name ?? "";
        var current = _users?.CredentialStamp(name);
        if (current is null)
        {
            return "the user is no longer in the users file";
        }

        return current == session.FindFirst(StampClaim)?.Value ? null : "the user's password has changed";
    }

    /// <summary>Ends this session on the server: a copy of its cookie is refused from now on.</summary>
    public void SignOut(ClaimsPrincipal session)
    {
        if (TryRead(session, out var id, out var end))
        {
            SignedOut.Add(id, end);
        }
    }

    private bool TryRead(ClaimsPrincipal session, out string id, out DateTimeOffset end)
    {
        id = session.FindFirst(IdClaim)?.Value ?? "";
        end = default;
        if (id.Length == 0 || !long.TryParse(session.FindFirst(SignedInClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var signedIn)
            || signedIn > DateTimeOffset.MaxValue.ToUnixTimeSeconds() - (long)MaxAge.TotalSeconds)
        {
            return false;
        }

        end = DateTimeOffset.FromUnixTimeSeconds(signedIn) + MaxAge;
        return true;
    }
}
