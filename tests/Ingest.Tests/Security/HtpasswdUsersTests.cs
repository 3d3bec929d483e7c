using Ingest.Security;
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

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void EnsureGenerated_FolderMissing_CreatesItAndTheFiles_ForTheOwnerOnly()
    {
        using var dir = new TempDirectory();
        // A fresh clone: data/ is not there yet (issue 23, the first `dotnet run` died here).
        var folder = dir.File("data");
        var users = Path.Combine(folder, "ingest.db.users");
        var passwordFile = Path.Combine(folder, "ingest.db.admin-password");

        var password = HtpasswdUsers.EnsureGenerated(users, passwordFile);

        Assert.NotNull(password);
        Assert.Equal(password + "\n", File.ReadAllText(passwordFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(users));
    }

    [Fact]
    public void EnsureGenerated_ThePasswordItReturns_VerifiesAgainstTheUsersFile_AndIsKeptOnTheNextStart()
    {
        using var dir = new TempDirectory();
        var users = dir.File("ingest.db.users");
        var passwordFile = dir.File("ingest.db.admin-password");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

        var password = HtpasswdUsers.EnsureGenerated(users, passwordFile);

        Assert.NotNull(password);
        var read = new HtpasswdUsers(users, time);
        Assert.Equal(1, read.Count);
        Assert.True(read.Verify("admin", password));
        Assert.False(read.Verify("admin", password + "x"));
        Assert.Null(HtpasswdUsers.EnsureGenerated(users, passwordFile));
        Assert.True(new HtpasswdUsers(users, time).Verify("admin", password));
    }
}
