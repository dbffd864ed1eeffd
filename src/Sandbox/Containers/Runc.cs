using System.Diagnostics;
using System.Threading.Channels;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The runc command line, with a state root of this sandbox's own (<c>runc --root</c>), so that its containers are
/// listed, and killed on dispose, without touching anyone else's.
/// </summary>
public sealed class Runc(string root)
{
    private static readonly string[] SearchPath = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"];

    public string Root { get; } = root;

    /// <summary>The runc executable, or null when it is not installed.</summary>
    public static string? Executable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(SearchPath).Select(d => Path.Combine(d, "runc")).FirstOrDefault(File.Exists);

    /// <summary>Why containers cannot run here, or null when they can.</summary>
    public static string? Unavailable() =>
        Executable is null ? "runc is not installed (apt-get install runc): the sandbox cannot run containers of given images"
        : Environment.UserName != "root" && !IsRoot() ? "the sandbox does not run as root: runc needs root to run containers of given images"
        : null;

    /// <summary>
    /// Starts <c>runc run</c> in the foreground: the process lives as long as the container, and its exit code is the
    /// container's. The pid file appears once the container's process has started (its absence afterwards means it never did).
    /// </summary>
    public Process Run(string id, string bundle, string pidFile)
    {
        var process = new Process { StartInfo = StartInfo(["run", "--bundle", bundle, "--pid-file", pidFile, id]) };
        process.Start();
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs a process inside a running container; output streams to the callbacks; returns its exit code.</summary>
    public async Task<int> ExecAsync(string id, IReadOnlyList<string> command, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> stdout,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> stderr, CancellationToken cancellationToken, ChannelReader<byte[]>? stdin = null)
    {
        using var process = new Process { StartInfo = StartInfo(["exec", id, .. command]) };
        process.Start();
        var feeding = stdin is null ? Task.CompletedTask : FeedAsync(stdin, process.StandardInput.BaseStream, cancellationToken);
        if (stdin is null)
        {
            process.StandardInput.Close();
        }

        try
        {
            await Task.WhenAll(
                PumpAsync(process.StandardOutput.BaseStream, stdout, cancellationToken),
                PumpAsync(process.StandardError.BaseStream, stderr, cancellationToken),
                process.WaitForExitAsync(cancellationToken));
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // The caller gave up (a probe's timeout, a client that went away): the exec'd process goes too.
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public Task<int> KillAsync(string id, string signal, bool all = false) => RunAsync(all ? ["kill", "--all", id, signal] : ["kill", id, signal]);

    public Task<int> DeleteAsync(string id) => RunAsync(["delete", "--force", id]);

    /// <summary>The ids of the containers under this root.</summary>
    public async Task<IReadOnlyList<string>> ListAsync()
    {
        using var process = new Process { StartInfo = StartInfo(["list", "--quiet"]) };
        process.Start();
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        using var process = new Process { StartInfo = StartInfo(args) };
        process.Start();
        process.StandardInput.Close();
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        await drain;
        return process.ExitCode;
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Executable ?? "runc")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--root");
        info.ArgumentList.Add(Root);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Copies the client's stdin into the process until the client closes it (then the process sees end of file).</summary>
    private static async Task FeedAsync(ChannelReader<byte[]> stdin, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in stdin.ReadAllAsync(cancellationToken))
            {
                await to.WriteAsync(chunk, cancellationToken);
                await to.FlushAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The process exited (or the client left) before stdin ended.
        }
        finally
        {
            try
            {
                to.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task PumpAsync(Stream from, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await to(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static bool IsRoot() => File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
        ?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
}
