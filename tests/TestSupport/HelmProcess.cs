using System.Diagnostics;
using Xunit;

namespace ErieCanal.Orleans.TestSupport;

/// <summary>The real helm (HELM names the binary, else helm on PATH; .ci/run installs it), each run bounded.</summary>
public static class HelmProcess
{
    /// <summary>
    /// Runs helm; the output is stdout then stderr. A run past <paramref name="timeout"/> is killed and fails the test.
    /// With a <paramref name="workDirectory"/> helm runs there and keeps its caches and config there too.
    /// </summary>
    public static async Task<(int Code, string Output)> RunAsync(string[] args, TimeSpan timeout, string? workDirectory = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("HELM") ?? "helm", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (workDirectory is not null)
        {
            // Helm's caches and config in the test's own directory, never the user's.
            start.WorkingDirectory = workDirectory;
            start.Environment["HELM_CACHE_HOME"] = Path.Combine(workDirectory, "helm-cache");
            start.Environment["HELM_CONFIG_HOME"] = Path.Combine(workDirectory, "helm-config");
            start.Environment["HELM_DATA_HOME"] = Path.Combine(workDirectory, "helm-data");
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("helm did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("helm is not installed or not on PATH (set HELM to its path; .ci/run installs it)", ex);
        }

        using var _ = process;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"helm {string.Join(' ', args)} did not finish within {timeout.TotalSeconds}s: {await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
