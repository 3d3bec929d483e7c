using System.Text.RegularExpressions;
using Ingest.Testing;

namespace Ingest.Tests;

/// <summary>
/// Issue 23: the folders of src/Ingest depend one way along the data path, and no source file grows past 400 lines.
/// The order is docs/architecture.md's; a reference from a folder to one above it (or beside it in the same rank)
/// fails here with the files that make it, so a cycle cannot come back unseen.
/// </summary>
public partial class LayeringTests
{
    /// <summary>Bottom first: a folder may use the folders of lower ranks only.</summary>
    private static readonly Dictionary<string, int> s_rank = new(StringComparer.Ordinal)
    {
        ["Web"] = 0, ["Accounting"] = 0,
        ["Streaming"] = 1,
        ["Pipeline"] = 2,
        ["Tracking"] = 3,
        ["Decoding"] = 4,
        ["Sources"] = 5,
        ["Insights"] = 6, ["Security"] = 6, ["Control"] = 6,
        ["Diagnostics"] = 7,
        ["Endpoints"] = 8,
        ["Hosting"] = 9,
        ["Cli"] = 10,
    };

    private static string IngestSource => Path.Combine(TestPaths.RepositoryRoot, "src", "Ingest");

    [Fact]
    public void Folders_EveryFolderHasARank()
    {
        var folders = Directory.GetDirectories(IngestSource).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj" or "Properties" or "Ui")).ToList();

        Assert.DoesNotContain(folders, f => !s_rank.ContainsKey(f!));
    }

    [Fact]
    public void Folders_ReferenceOnlyFoldersBelowThem_Issue23()
    {
        var violations = new List<string>();
        foreach (var (folder, rank) in s_rank)
        {
            var dir = Path.Combine(IngestSource, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var code = Code(File.ReadAllText(file));
                foreach (var (other, otherRank) in s_rank)
                {
                    if (other != folder && otherRank >= rank && References(code, other))
                    {
                        violations.Add($"{folder} -> {other}: {Path.GetRelativePath(IngestSource, file)}");
                    }
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void SourceFiles_NoneOver400Lines_Issue23()
    {
        var root = TestPaths.RepositoryRoot;
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        var tooLong = files.Select(f => (File: Path.GetRelativePath(root, f), Lines: File.ReadLines(f).Count())).Where(f => f.Lines > 400).ToList();

        Assert.Empty(tooLong);
    }

    [Fact]
    public void References_SeesUsingsAndQualifiedNames_NotCommentsOrText()
    {
        Assert.True(References(Code("using Ingest.Pipeline;\nclass A {}"), "Pipeline"));
        Assert.True(References(Code("class A { Pipeline.MemoryBudget b; }"), "Pipeline"));
        Assert.False(References(Code("// see Pipeline.FlushLoop\nclass A { string s = \"Pipeline.X\"; }"), "Pipeline"));
        Assert.False(References(Code("class A { Ingest.Storage.Writing.X x; }"), "Writing"));
    }

    private static bool References(string code, string folder) =>
        code.Contains($"Ingest.{folder}.", StringComparison.Ordinal) || code.Contains($"Ingest.{folder};", StringComparison.Ordinal)
        || Regex.IsMatch(code, $@"(?<![\w.]){folder}\.[A-Z]");

    /// <summary>The code without comments and string literals, which may name any folder.</summary>
    private static string Code(string text) => StringLiteral().Replace(Comment().Replace(text, string.Empty), "\"\"");

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();
}
