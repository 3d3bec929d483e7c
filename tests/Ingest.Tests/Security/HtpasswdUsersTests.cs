using Ingest.Security;
using Ingest.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Security;

public sealed class HtpasswdUsersTests
{
    [Fact]
    public void ARememberedPair_SkipsBcrypt_AndIsRenewedWhenItExpires()
    {
        using var dir = new TempDirectory();
        var path = dir.File("users");
        File.WriteAllText(path, $"sre:{BCrypt.Net.BCrypt.HashPassword("pass", 4)}\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var users = new HtpasswdUsers(path, time);

        Assert.True(users.Verify("sre", "pass"));
        Assert.True(users.Verify("sre", "pass"));
        Assert.Equal(1, users.BcryptChecks);
        Assert.False(users.Verify("sre", "wrong"));
        Assert.Equal(2, users.BcryptChecks);

        time.Advance(HtpasswdUsers.RememberFor + TimeSpan.FromSeconds(1));
        Assert.True(users.Verify("sre", "pass"));
        Assert.Equal(3, users.BcryptChecks);
        // Renewed: a script sending the same credential every second does not pay bcrypt every second.
        Assert.True(users.Verify("sre", "pass"));
        Assert.Equal(3, users.BcryptChecks);
    }

    [Fact]
    public void OnlyBcryptLinesAreAccepted_WithTheLineNamed()
    {
        using var dir = new TempDirectory();
        var path = dir.File("users");
        File.WriteAllText(path, "# comment\nana:$apr1$abc$def\n");
        var error = Assert.Throws<InvalidOperationException>(() => HtpasswdUsers.Parse(path, out _));
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("htpasswd -B", error.Message, StringComparison.Ordinal);
    }
}
