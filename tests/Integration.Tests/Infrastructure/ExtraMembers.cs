using System.Text.Json;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// Members that are not part of the fixture's embedded environment: a sandbox of a test's own, registered on the
/// fixture's control plane as the seed registers a Cluster, and read back through its conditions.
/// </summary>
public static class ExtraMembers
{
    public static Kubernetes Client(SandboxCluster cluster)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(cluster.Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    public static async Task RegisterAsync(IKubernetes controlPlane, string name, SandboxCluster member, int? gatewayPort = null) =>
        await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = gatewayPort ?? member.Gateway.Port, Kubeconfig = member.Kubeconfig() },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

    public static async Task UnregisterAsync(IKubernetes controlPlane, string name) =>
        await controlPlane.CustomObjects.DeleteClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);

    public static async Task<Condition?> ConditionAsync(IKubernetes controlPlane, string name, string type)
    {
        var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);
        var cluster = KubernetesJson.Deserialize<ClusterResource>(((JsonElement)raw).GetRawText());
        return Manifests.ConditionOf(cluster.Status?.Conditions, type);
    }
}
