using System.Text.RegularExpressions;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests;

/// <summary>
/// Orleans runs one turn at a time per activation only if a grain never leaves its scheduler: no grain class under
/// src/Grains may start thread-pool work or guard shared state itself. I/O belongs in silo-local engines.
/// </summary>
public sealed partial class GrainSchedulerGuardTests
{
    private static readonly string[] Forbidden = ["Task.Run(", "Task.Factory.StartNew", "ThreadPool.", "new Thread(", "ConcurrentDictionary", "volatile ", "lock (", "Parallel."];

    [Fact]
    public void No_grain_starts_work_off_its_scheduler()
    {
        var grains = GrainSources().ToList();
        Assert.Contains(grains, g => g.Name == "ImportWriterGrain");
        Assert.Contains(grains, g => g.Name == "ClusterGrain");
        var offences = grains
            .SelectMany(g => Forbidden.Where(f => g.Body.Contains(f, StringComparison.Ordinal)).Select(f => $"{g.Name} ({g.File}): {f}"))
            .ToList();
        Assert.True(offences.Count == 0, "grains leaving their scheduler:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void The_guard_sees_an_offence()
    {
        var body = "public sealed class Sample : Grain, ISample { void M() => _ = Task.Run(() => { }); }";
        Assert.Contains(Forbidden, f => body.Contains(f, StringComparison.Ordinal));
        Assert.Single(GrainClass().Matches(body));
    }

    /// <summary>Every class deriving from Grain (directly or through Grain&lt;T&gt;) with the rest of its file.</summary>
    private static IEnumerable<(string Name, string File, string Body)> GrainSources()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "Grains");
        foreach (var file in System.IO.Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = StripComments(File.ReadAllText(file));
            foreach (Match match in GrainClass().Matches(text))
            {
                yield return (match.Groups["name"].Value, Path.GetRelativePath(root, file), text[match.Index..]);
            }
        }
    }

    private static string StripComments(string text) => Comment().Replace(text, "");

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"class\s+(?<name>\w+)(?:<[^>]*>)?\s*(?:\([^{]*?\))?\s*:\s*Grain\b")]
    private static partial Regex GrainClass();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();
}
