using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>Each scenario writes into a namespace of its own, so watches and lists see only its objects.</summary>
public static class Namespaces
{
    public static async Task<string> CreateAsync(IKubernetes client, string name, CancellationToken cancellationToken)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { ApiVersion = V1Namespace.KubeApiVersion, Kind = V1Namespace.KubeKind, Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken);
        return name;
    }
}
