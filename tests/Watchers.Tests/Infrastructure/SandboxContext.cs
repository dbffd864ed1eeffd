using System.Text;
using ErieCanal.Orleans.Sandbox.Hosting;
using Xunit;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>
/// A fresh in-process sandbox cluster per test (xunit makes one test-class instance per test), since the tests
/// take it offline, freeze it and compact its history.
/// </summary>
public abstract class SandboxContext : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public SandboxCluster Cluster => Host["test"];

    /// <summary>Frequent bookmarks keep the informers' watchdogs fed in tests that set them short.</summary>
    protected virtual SandboxClusterOptions Options => new()
    {
        BookmarkInterval = TimeSpan.FromMilliseconds(200),
        PodReadyDelay = TimeSpan.FromMilliseconds(100),
    };

    public async Task InitializeAsync() => Host = await SandboxHost.StartAsync(["test"], Options, controlPort: 0);

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public Kubernetes Client()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Cluster.Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }
}
