using Ingest.Security;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ingest.Tests.Security;

public sealed class AuthSettingsResolverTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The README promises the generated password "printed in the log and kept in data/ingest.db.admin-password":
    /// the first start prints it, at Warning, with the file; later starts name only the file.
    /// </summary>
    [Fact]
    public void Resolve_NothingConfiguredOnAFreshClone_CreatesTheFolder_AndLogsTheGeneratedPasswordOnce()
    {
        using var dir = new TempDirectory();
        var database = Path.Combine(dir.Path, "data", "ingest.db");
        var passwordFile = database + ".admin-password";
        using var provider = new FakeLoggerProvider();
        using var loggers = new LoggerFactory([provider]);
        var time = new FakeTimeProvider(Start);

        var settings = AuthSettingsResolver.Resolve(new AuthOptions(), database, time, loggers);

        var password = File.ReadAllText(passwordFile).Trim();
        Assert.True(settings.Users!.Verify("admin", password));
        var generated = Assert.Single(provider.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, generated.Level);
        Assert.Contains(password, generated.Message, StringComparison.Ordinal);
        Assert.Contains(passwordFile, generated.Message, StringComparison.Ordinal);

        provider.Collector.Clear();
        AuthSettingsResolver.Resolve(new AuthOptions(), database, time, loggers);

        var again = Assert.Single(provider.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Information, again.Level);
        Assert.DoesNotContain(password, again.Message, StringComparison.Ordinal);
        Assert.Contains(passwordFile, again.Message, StringComparison.Ordinal);
    }
}
