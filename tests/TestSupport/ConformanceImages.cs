using System.Collections.Concurrent;
using Xunit;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// The two images the MCS API conformance suite runs, under the names it uses (<see cref="Netshoot"/> for the request
/// pod, <see cref="Socat"/> for the hello pods), built by deploy/conformance-images/build.sh from Debian bookworm
/// packages once per test process, whichever test asks first. Across processes the script's cache (keyed by the
/// script and its package list) makes a rebuild a copy. Building needs root, buildah and mmdebstrap; without them the
/// fixture fails and says what is missing (never a skip).
/// </summary>
public sealed class ConformanceImages : IAsyncLifetime
{
    public const string NetshootReference = "nicolaka/netshoot:v0.15";

    public const string SocatReference = "alpine/socat:1.7.4.4";

    /// <summary>A cold build (mmdebstrap from Debian's mirror, then buildah) on a busy two-core machine stays well inside this.</summary>
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

    private static readonly ConcurrentDictionary<string, Lazy<Task<BuiltImage>>> Shared = new(StringComparer.Ordinal);

    private BuiltImage? _netshoot;
    private BuiltImage? _socat;

    public BuiltImage Netshoot => _netshoot ?? throw new InvalidOperationException("the conformance images have not been built");

    public BuiltImage Socat => _socat ?? throw new InvalidOperationException("the conformance images have not been built");

    /// <summary>Both images, as the sandbox is given them (each archive carries its suite name).</summary>
    public IReadOnlyList<BuiltImage> All => [Netshoot, Socat];

    /// <summary>One image of this test process (<c>netshoot</c> or <c>socat</c>), built on first use.</summary>
    public static Task<BuiltImage> BuildOnceAsync(string image) => Shared.GetOrAdd(image, i => new Lazy<Task<BuiltImage>>(() => BuildAsync(i))).Value;

    public async Task InitializeAsync()
    {
        // One after the other: both builds share the buildah storage and the two cores.
        _netshoot = await BuildOnceAsync("netshoot");
        _socat = await BuildOnceAsync("socat");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<BuiltImage> BuildAsync(string image)
    {
        ImageBuildScript.EnsureCanBuild("the conformance images");

        // The archives are this process's and go with it; the script's cache keeps the built image for the next one.
        var directory = Path.Combine(Path.GetTempPath(), "erie-canal-orleans-conformance-images", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(directory);
        var archive = Path.Combine(directory, $"{image}.oci.tar");

        var script = Path.Combine(Kubectl.RepoPaths.Root, "deploy", "conformance-images", "build.sh");
        return await ImageBuildScript.RunAsync([script, "--image", image, "--output", archive], archive, BuildTimeout);
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
