using System.Diagnostics;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>The real helm (HELM names the binary, else helm on PATH; .ci/run installs it) against one kubeconfig, each run bounded.</summary>
public sealed class HelmRunner(string kubeconfig, string workDirectory)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("HELM") ?? "helm", ["--kubeconfig", kubeconfig, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDirectory,
        };
        // Helm's caches and config in the test's own directory, never the user's.
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(workDirectory, "helm-cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(workDirectory, "helm-config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(workDirectory, "helm-data");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("helm did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"helm {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds}s: {await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
