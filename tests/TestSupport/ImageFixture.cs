using System.Diagnostics;
using System.Reflection;
using System.Text;
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
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "building the container image needs root on Linux (buildah with vfs storage and chroot isolation, mmdebstrap for the base); " +
                "run the tests as root, with buildah, mmdebstrap and runc installed (.ci/run installs them)");
        }

        foreach (var tool in new[] { "buildah", "mmdebstrap", "runc" })
        {
            if (!OnPath(tool))
            {
                throw new InvalidOperationException($"{tool} is not installed: apt-get install -y buildah mmdebstrap runc (.ci/run installs them)");
            }
        }

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

        var start = new ProcessStartInfo("bash", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
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
            throw new TimeoutException($"deploy/image/build.sh did not finish within {BuildTimeout.TotalMinutes} minutes: {Text(output)}");
        }

        var text = Text(output);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/image/build.sh exited {process.ExitCode}: {text}");
        }

        // The last line is "<archive> <name:tag>".
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1].Split(' ');
        if (last.Length != 2 || last[0] != archive || !File.Exists(archive))
        {
            throw new InvalidOperationException($"deploy/image/build.sh did not report {archive}: {text}");
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
