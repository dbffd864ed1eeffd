using System.Text;
using ErieCanal.Orleans.Sandbox.Hosting;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Infrastructure;

/// <summary>One in-process sandbox cluster per test class, reached by the real KubernetesClient over HTTP.</summary>
public class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public SandboxCluster Cluster => Host["test"];

    protected virtual SandboxClusterOptions Options => new()
    {
        BookmarkInterval = TimeSpan.FromMilliseconds(200),
        PodReadyDelay = TimeSpan.FromMilliseconds(100),
    };

    public async Task InitializeAsync() => Host = await SandboxHost.StartAsync(["test"], Options, controlPort: 0);

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public Kubernetes Client(TimeSpan? timeout = null)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Cluster.Kubeconfig()));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
        if (timeout is { } t)
        {
            config.HttpClientTimeout = t;
        }

        return new Kubernetes(config);
    }

    /// <summary>A plain HTTP client for requests KubernetesClient cannot express (malformed bodies).</summary>
    public HttpClient Http() => new() { BaseAddress = Cluster.Server, Timeout = TimeSpan.FromSeconds(30) };
}
