using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>A sandbox cluster holding the three upstream CRDs (charts/erie-canal-orleans/crds, unchanged) and a namespace.</summary>
public sealed class UpstreamCrdFixture : SandboxFixture, IAsyncLifetime
{
    public const string Namespace = "mcs";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        using var client = Client();
        foreach (var file in new[] { "multicluster.x-k8s.io_serviceexports.yaml", "multicluster.x-k8s.io_serviceimports.yaml", "about.k8s.io_clusterproperties.yaml" })
        {
            var yaml = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "crds", file));
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(yaml));
        }

        await client.CoreV1.CreateNamespaceAsync(Objects.Namespace(Namespace));
    }
}
