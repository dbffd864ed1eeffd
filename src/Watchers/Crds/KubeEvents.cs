using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>
/// Kubernetes Events on the objects the system reports about, so <c>kubectl describe</c> tells what happened to a
/// Cluster, a ServiceExport or a ServiceImport, not only its current conditions.
/// </summary>
public static class KubeEvents
{
    public const string Component = "erie-canal-orleans";

    /// <summary>
    /// An event on a flomesh.io object; cluster-scoped objects' events go to the default namespace. Timestamps come
    /// from <paramref name="time"/> (the system clock when none is given).
    /// </summary>
    public static Task RecordAsync(IKubernetes client, string kind, string? ns, string name, string? uid, bool warning, string reason, string message, CancellationToken cancellationToken, TimeProvider? time = null) =>
        RecordAsync(client, ClusterResource.GroupVersion, kind, ns, name, uid, warning, reason, message, cancellationToken, time);

    /// <summary>An event on any object (e.g. a silo's own Pod, <c>v1</c>).</summary>
    public static async Task RecordAsync(IKubernetes client, string apiVersion, string kind, string? ns, string name, string? uid, bool warning, string reason, string message, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var eventNamespace = ns ?? "default";
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{name}.{now.Ticks:x}", NamespaceProperty = eventNamespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = apiVersion,
                Kind = kind,
                Name = name,
                NamespaceProperty = ns,
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
        }, eventNamespace, cancellationToken: cancellationToken);
    }
}
