namespace Ingest.Testing;

/// <summary>Where the shared fixtures are: INGEST_SHARED_DIR, or shared/ beside the repository (as CI lays it out).</summary>
public static class TestPaths
{
    /// <summary>The repository's root (where Ingest.sln is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Ingest.sln) above " + AppContext.BaseDirectory);
        }
    }

    public static string SharedDir
    {
        get
        {
            if (Environment.GetEnvironmentVariable("INGEST_SHARED_DIR") is { Length: > 0 } env)
            {
                return env;
            }

            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                dir = dir.Parent;
            }

            if (dir?.Parent is null)
            {
                throw new InvalidOperationException("Cannot find the repository root (Ingest.sln) above " + AppContext.BaseDirectory);
            }

            return Path.Combine(dir.Parent.FullName, "shared");
        }
    }
}
