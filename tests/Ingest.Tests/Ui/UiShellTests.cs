using Ingest.Tests.Support;

namespace Ingest.Tests.Ui;

/// <summary>The page shell as served, before any script runs.</summary>
public class UiShellTests
{
    [Fact]
    public async Task Shell_SignOutButton_HiddenUntilSignInIsKnownToBeOn_Issue25()
    {
        // Under --no-auth the button was drawn, then removed once /api/me answered: a flash of a control that does nothing.
        await using var factory = new IngestFactory();
        using var client = factory.CreateClient();

        var shell = await client.GetStringAsync("/");

        Assert.Contains("""<form method="post" action="/signout" class="signout" hidden>""", shell, StringComparison.Ordinal);
    }
}
