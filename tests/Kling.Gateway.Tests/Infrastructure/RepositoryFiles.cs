namespace Kling.Gateway.Tests.Infrastructure;

/// <summary>Files of the repository the tests were built from (README, deployment manifests).</summary>
internal static class RepositoryFiles
{
    /// <summary>The repository's root: the first directory above the test binaries holding Kling.Gateway.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(directory.FullName, "Kling.Gateway.sln")))
        {
            directory = directory.Parent ?? throw new InvalidOperationException("the repository root (Kling.Gateway.sln) was not found");
        }

        return directory.FullName;
    }
}
