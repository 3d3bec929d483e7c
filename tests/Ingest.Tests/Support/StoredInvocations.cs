using Ingest.Storage;
using Ingest.Storage.Reading;

namespace Ingest.Tests.Support;

/// <summary>What a database file holds, read through the reader the API uses, every page of it.</summary>
internal static class StoredInvocations
{
    /// <summary>Every stored invocation by task id; a task id listed twice fails the test.</summary>
    public static Dictionary<string, InvocationRecord> All(string db)
    {
        var reader = new InvocationReader(new StorageOptions { DatabasePath = db });
        var all = new Dictionary<string, InvocationRecord>();
        PageCursor? after = null;
        do
        {
            var page = reader.List(new InvocationQuery { Limit = 1000, After = after });
            foreach (var r in page.Items)
            {
                Assert.True(all.TryAdd(r.TaskId, r), $"{r.TaskId} listed twice");
            }

            after = page.NextCursor;
        }
        while (after is not null);

        return all;
    }

    /// <summary>Two files hold the same invocations, field by field.</summary>
    public static void AssertSame(string expectedDb, string actualDb)
    {
        var expected = All(expectedDb);
        var actual = All(actualDb);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (id, record) in expected)
        {
            Assert.Equal(record, actual[id]);
        }
    }
}
