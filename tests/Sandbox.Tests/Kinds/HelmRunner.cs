namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>The real helm against one kubeconfig, run in (and keeping its caches in) the test's directory, each run bounded.</summary>
public sealed class HelmRunner(string kubeconfig, string workDirectory)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public Task<(int Code, string Output)> RunAsync(params string[] args) =>
        HelmProcess.RunAsync(["--kubeconfig", kubeconfig, .. args], Timeout, workDirectory);
}
