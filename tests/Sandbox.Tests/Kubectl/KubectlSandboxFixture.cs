using ErieCanal.Orleans.Sandbox.Hosting;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>
/// One in-process sandbox host (a single cluster, "cluster-1") per test class, its kubeconfig written to a temp
/// directory, and a <see cref="KubectlRunner"/> pointed at it.
/// </summary>
public class KubectlSandboxFixture : IAsyncLifetime
{
    public const string ClusterName = "cluster-1";

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("kubectl-sandbox-").FullName;

    public SandboxHost Host { get; private set; } = null!;

    public SandboxCluster Cluster => Host[ClusterName];

    public KubectlRunner Kubectl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync([ClusterName]);
        var kubeconfigs = Host.WriteKubeconfigs(Path.Combine(WorkDirectory, "kubeconfigs"));
        Kubectl = new KubectlRunner(kubeconfigs[ClusterName], WorkDirectory);
        await SetUpAsync();
    }

    public async Task DisposeAsync()
    {
        await TearDownAsync();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Directory.Delete(WorkDirectory, recursive: true);
    }

    /// <summary>What a derived fixture puts into the fresh cluster before the class's tests run.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>What a derived fixture stops before the sandbox goes (servers of its own).</summary>
    protected virtual Task TearDownAsync() => Task.CompletedTask;
}
