using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kinds;

/// <summary>One sandbox cluster reached by KubernetesClient and by the real kubectl (its kubeconfig in a temp directory).</summary>
public sealed class KindsFixture : SandboxFixture, IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kinds-").FullName;
    private int _namespaces;

    public KubectlRunner Kubectl { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, Cluster.Kubeconfig());
        Kubectl = new KubectlRunner(kubeconfig, _directory);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A fresh namespace per test, so tests of one class never see each other's objects.</summary>
    public async Task<string> NamespaceAsync(Kubernetes client, string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _namespaces)}";
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }
}
