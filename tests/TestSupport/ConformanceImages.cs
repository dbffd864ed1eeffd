using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
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
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "building the conformance images needs root on Linux (mmdebstrap, buildah with vfs storage); " +
                "run the tests as root, with buildah, mmdebstrap and runc installed (.ci/run installs them)");
        }

        foreach (var tool in new[] { "buildah", "mmdebstrap", "runc" })
        {
            if (!OnPath(tool))
            {
                throw new InvalidOperationException($"{tool} is not installed: apt-get install -y buildah mmdebstrap runc (.ci/run installs them)");
            }
        }

        // The archives are this process's and go with it; the script's cache keeps the built image for the next one.
        var directory = Path.Combine(Path.GetTempPath(), "erie-canal-orleans-conformance-images", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(directory);
        var archive = Path.Combine(directory, $"{image}.oci.tar");

        var script = Path.Combine(Kubectl.RepoPaths.Root, "deploy", "conformance-images", "build.sh");
        var start = new ProcessStartInfo("bash", [script, "--image", image, "--output", archive])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Kubectl.RepoPaths.Root,
        };
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"deploy/conformance-images/build.sh --image {image} did not finish within {BuildTimeout.TotalMinutes} minutes: {Text(output)}");
        }

        var text = Text(output);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/conformance-images/build.sh --image {image} exited {process.ExitCode}: {text}");
        }

        // The last line is "<archive> <name:tag>".
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1].Split(' ');
        if (last.Length != 2 || last[0] != archive || !File.Exists(archive))
        {
            throw new InvalidOperationException($"deploy/conformance-images/build.sh did not report {archive}: {text}");
        }

        return new BuiltImage(archive, last[1], stopwatch.Elapsed, text);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));

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
