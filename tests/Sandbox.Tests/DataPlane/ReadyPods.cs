using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Tests.DataPlane;

/// <summary>Waits for a workload's pods through the real KubernetesClient, as a data plane would see them.</summary>
internal static class ReadyPods
{
    public static async Task<IReadOnlyList<V1Pod>> WaitAsync(Kubernetes client, string ns, string app, int count)
    {
        var pods = await Eventually.Until(
            () => client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"app={app}"),
            list => list.Items.Count(IsReady) == count && list.Items.Count == count,
            $"{count} ready pods of {ns}/{app}");
        return pods.Items.ToList();
    }

    public static async Task<V1Deployment> DeployAsync(Kubernetes client, string ns, string name, int replicas)
    {
        if ((await client.CoreV1.ListNamespaceAsync()).Items.All(n => n.Metadata.Name != ns))
        {
            await client.CoreV1.CreateNamespaceAsync(Objects.Namespace(ns));
        }

        return await client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment(name, ns, replicas, name), ns);
    }

    public static Uri Url(V1Pod pod, int port = 8080) => new($"http://{pod.Status.PodIP}:{port}/");

    private static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
