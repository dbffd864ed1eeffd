using System.Diagnostics;
using System.Text;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>
/// Runs one of the repository's image build scripts (deploy/image/build.sh, deploy/conformance-images/build.sh) the
/// way a user does, and reads its result: the last line the script writes to <b>stdout</b>, <c>&lt;archive&gt;
/// &lt;name:tag&gt;</c>. Stdout is read on its own: the two pipes are drained concurrently, so in one merged log the
/// script's final progress line on stderr can land after the result line.
/// </summary>
internal static class ImageBuildScript
{
    /// <summary>Checks what every image build needs: root on Linux, and buildah, mmdebstrap and runc on the PATH.</summary>
    public static void EnsureCanBuild(string what)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                $"building {what} needs root on Linux (buildah with vfs storage and chroot isolation, mmdebstrap for the base); " +
                "run the tests as root, with buildah, mmdebstrap and runc installed (.ci/run installs them)");
        }

        foreach (var tool in new[] { "buildah", "mmdebstrap", "runc" })
        {
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool))))
            {
                throw new InvalidOperationException($"{tool} is not installed: apt-get install -y buildah mmdebstrap runc (.ci/run installs them)");
            }
        }
    }

    /// <summary>Runs <c>bash</c> with <paramref name="arguments"/> (the script first) and returns the image it reported at <paramref name="archive"/>.</summary>
    public static async Task<BuiltImage> RunAsync(IReadOnlyList<string> arguments, string archive, TimeSpan timeout)
    {
        var script = Path.GetRelativePath(Kubectl.RepoPaths.Root, arguments[0]);
        var start = new ProcessStartInfo("bash", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Kubectl.RepoPaths.Root,
        };
        var log = new StringBuilder();
        string? result = null;
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Volatile.Write(ref result, e.Data.Trim());
            }

            Append(log, e.Data);
        };
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout.TotalMinutes} minutes: {Text(log)}");
        }

        // WaitForExitAsync returns once both pipes reached their end, so every line has been seen.
        var text = Text(log);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} exited {process.ExitCode}: {text}");
        }

        var last = Volatile.Read(ref result)?.Split(' ') ?? [];
        if (last.Length != 2 || last[0] != archive || !File.Exists(archive))
        {
            throw new InvalidOperationException($"{script} did not report {archive}: {text}");
        }

        return new BuiltImage(archive, last[1], stopwatch.Elapsed, text);
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
