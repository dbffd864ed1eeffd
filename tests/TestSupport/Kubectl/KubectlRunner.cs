using System.Diagnostics;
using Xunit;

namespace ErieCanal.Orleans.TestSupport.Kubectl;

/// <summary>
/// Runs the real kubectl against one kubeconfig. Every run has a timeout after which the process (tree) is killed,
/// and gets its own HOME and cache directory so nothing leaks between sandboxes or into the user's ~/.kube.
/// </summary>
public sealed class KubectlRunner(string kubeconfig, string workDirectory)
{
    public const string Executable = "/usr/bin/kubectl";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long <see cref="WaitForAsync"/> polls before it gives up: generous, the machine is shared.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(60);

    public string Kubeconfig { get; } = kubeconfig;

    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync(args, stdin: null, DefaultTimeout);

    /// <summary>Runs kubectl with <paramref name="stdin"/> piped in (for <c>-f -</c>).</summary>
    public Task<KubectlResult> RunWithInputAsync(string stdin, params string[] args) => RunAsync(args, stdin, DefaultTimeout);

    public async Task<KubectlResult> RunAsync(IReadOnlyList<string> args, string? stdin, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = StartInfo(args, redirectInput: true) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var timedOut = false;
        using (var deadline = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                Kill(process);
                await process.WaitForExitAsync();
            }
        }

        return new KubectlResult(Describe(args), process.ExitCode, await stdout, await stderr, timedOut);
    }

    /// <summary>Starts a long-running kubectl (<c>get -w</c>) whose output the test reads as it arrives.</summary>
    public BackgroundKubectl Start(params string[] args)
    {
        var process = new Process { StartInfo = StartInfo(args, redirectInput: false) };
        return new BackgroundKubectl(process, Describe(args), DefaultTimeout);
    }

    /// <summary>Re-runs kubectl until <paramref name="condition"/> holds for its result; fails with the last result.</summary>
    public async Task<KubectlResult> WaitForAsync(Func<KubectlResult, bool> condition, params string[] args)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var result = await RunAsync(args);
            if (condition(result))
            {
                return result;
            }

            if (deadline.Elapsed > DefaultWait)
            {
                Assert.Fail($"condition not met within {DefaultWait.TotalSeconds}s; last result: {result}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    internal static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private ProcessStartInfo StartInfo(IReadOnlyList<string> args, bool redirectInput)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("KUBE", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["KUBECONFIG"] = Kubeconfig;
        info.Environment["KUBECACHEDIR"] = Path.Combine(workDirectory, "cache");
        info.Environment["HOME"] = workDirectory;
        return info;
    }

    private static string Describe(IReadOnlyList<string> args) => "kubectl " + string.Join(' ', args);
}
