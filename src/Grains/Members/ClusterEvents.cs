using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>Kubernetes Events on a Cluster object, so <c>kubectl describe cluster</c> tells what happened to it.</summary>
public static class ClusterEvents
{
    public const string Component = "erie-canal-orleans";

    public static async Task RecordAsync(IKubernetes controlPlane, string clusterName, string uid, bool warning, string reason, string message, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        await controlPlane.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{clusterName}.{now.Ticks:x}", NamespaceProperty = "default" },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = ClusterResource.GroupVersion,
                Kind = "Cluster",
                Name = clusterName,
                Uid = uid,
            },
            Reason = reason,
            Message = message,
            Type = warning ? "Warning" : "Normal",
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        }, "default", cancellationToken: cancellationToken);
    }
}
