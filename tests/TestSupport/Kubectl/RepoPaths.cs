namespace ErieCanal.Orleans.TestSupport.Kubectl;

/// <summary>Files of the repository the tests run from (found by walking up to the solution file).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ErieCanal.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no ErieCanal.Orleans.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string Seed(string file) => Path.Combine(Root, "tests", "fixtures", "seed", file);

    public static string CrdDirectory => Path.Combine(Root, "charts", "erie-canal-orleans", "crds");
}
