using System.Reflection;
using ErieCanal.Orleans.TestSupport.Kubectl;
using Xunit;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// The container image, built by the documented command (deploy/image/build.sh: buildah, the cached local Debian
/// base) once per test process, whichever test class asks first; a class takes it as <c>IClassFixture&lt;ImageFixture&gt;</c>
/// or through a collection fixture. The apps are published from the build this test run already made. Building needs
/// root, buildah and (for the base, once) mmdebstrap; without them the fixture fails and says what is missing.
/// </summary>
public sealed class ImageFixture : IAsyncLifetime
{
    /// <summary>A cold build (the base from Debian's packages, then the image) on a busy two-core machine stays well inside this.</summary>
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    private static readonly Lazy<Task<BuiltImage>> Shared = new(BuildAsync);
    private BuiltImage? _image;

    public BuiltImage Image => _image ?? throw new InvalidOperationException("the image fixture has not been initialised");

    /// <summary>The OCI archive (oci-archive: a tar of an OCI image layout).</summary>
    public string ArchivePath => Image.ArchivePath;

    /// <summary>The name:tag the archive carries, the chart's default image.</summary>
    public string Reference => Image.Reference;

    /// <summary>The image of this test process, built on first use.</summary>
    public static Task<BuiltImage> BuildOnceAsync() => Shared.Value;

    public async Task InitializeAsync() => _image = await BuildOnceAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<BuiltImage> BuildAsync()
    {
        ImageBuildScript.EnsureCanBuild("the container image");

        var parent = Path.Combine(Path.GetTempPath(), "erie-canal-orleans-image");
        var directory = Path.Combine(parent, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The archive is this process's; it goes when the process does, or, when the process was killed before its exit
        // handler finished, with the next test process that builds.
        foreach (var stale in Directory.Exists(parent) ? Directory.EnumerateDirectories(parent) : [])
        {
            if (int.TryParse(Path.GetFileName(stale), out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                DeleteQuietly(stale);
            }
        }

        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(directory);
        var archive = Path.Combine(directory, "erie-canal-orleans.oci.tar");

        // The test run's own Release build is what gets published (as ProductionBinaryTests does), so nothing rebuilds
        // underneath other test processes; another configuration publishes with a build of its own.
        var configuration = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? typeof(ImageFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        var arguments = new List<string> { Path.Combine(RepoPaths.Root, "deploy", "image", "build.sh"), "--output", archive };
        if (configuration == "Release")
        {
            arguments.Add("--no-build");
        }

        return await ImageBuildScript.RunAsync(arguments, archive, BuildTimeout);
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort at exit: a leftover temporary directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
