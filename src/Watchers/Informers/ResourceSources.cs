using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>The resource sources the watchers use, over a KubernetesClient.</summary>
public static class ResourceSources
{
    /// <summary>Services in all namespaces.</summary>
    public static IResourceSource<V1Service> Services(IKubernetes client, string description) =>
        new KubernetesResourceSource<V1Service>(
            description,
            async (cont, limit, ct) =>
            {
                var list = await client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: cont, limit: limit, cancellationToken: ct);
                return (list.Items, list.Metadata);
            },
            (rv, seconds, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct));

    /// <summary>EndpointSlices in all namespaces.</summary>
    public static IResourceSource<V1EndpointSlice> EndpointSlices(IKubernetes client, string description) =>
        new KubernetesResourceSource<V1EndpointSlice>(
            description,
            async (cont, limit, ct) =>
            {
                var list = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: cont, limit: limit, cancellationToken: ct);
                return (list.Items, list.Metadata);
            },
            (rv, seconds, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct));

    /// <summary>Ingresses (networking.k8s.io/v1) in all namespaces.</summary>
    public static IResourceSource<V1Ingress> Ingresses(IKubernetes client, string description) =>
        new KubernetesResourceSource<V1Ingress>(
            description,
            async (cont, limit, ct) =>
            {
                var list = await client.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: cont, limit: limit, cancellationToken: ct);
                return (list.Items, list.Metadata);
            },
            (rv, seconds, onError, ct) => client.NetworkingV1.WatchListIngressForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Namespace> Namespaces(IKubernetes client, string description) =>
        new KubernetesResourceSource<V1Namespace>(
            description,
            async (cont, limit, ct) =>
            {
                var list = await client.CoreV1.ListNamespaceAsync(continueParameter: cont, limit: limit, cancellationToken: ct);
                return (list.Items, list.Metadata);
            },
            (rv, seconds, onError, ct) => client.CoreV1.WatchListNamespaceAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct));

    /// <summary>ConfigMaps in all namespaces (a cheap kind for tests).</summary>
    public static IResourceSource<V1ConfigMap> ConfigMaps(IKubernetes client, string description) =>
        new KubernetesResourceSource<V1ConfigMap>(
            description,
            async (cont, limit, ct) =>
            {
                var list = await client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: cont, limit: limit, cancellationToken: ct);
                return (list.Items, list.Metadata);
            },
            (rv, seconds, onError, ct) => client.CoreV1.WatchListConfigMapForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct));

    /// <summary>
    /// Custom resources through client.CustomObjects: all namespaces when <paramref name="namespaced"/>, else the
    /// cluster scope. Items are deserialised into <typeparamref name="T"/> with KubernetesJson.
    /// </summary>
    public static IResourceSource<T> Custom<T>(IKubernetes client, string group, string version, string plural, bool namespaced, string description)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new KubernetesResourceSource<T>(
            description,
            async (cont, limit, ct) =>
            {
                var list = namespaced
                    ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<CustomObjectList<T>>(group, version, plural, continueParameter: cont, limit: limit, cancellationToken: ct)
                    : await client.CustomObjects.ListClusterCustomObjectAsync<CustomObjectList<T>>(group, version, plural, continueParameter: cont, limit: limit, cancellationToken: ct);
                return (list.Items, list.Metadata);
            },
            (rv, seconds, onError, ct) => AsTyped<T>(
                namespaced
                    ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(group, version, plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct)
                    : client.CustomObjects.WatchListClusterCustomObjectAsync(group, version, plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct),
                ct));

    // The custom-object watch yields untyped JSON; re-read each object as the caller's model.
    private static async IAsyncEnumerable<(WatchEventType Type, T Object)> AsTyped<T>(IAsyncEnumerable<(WatchEventType, object)> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, obj) in events.WithCancellation(cancellationToken))
        {
            var typed = obj switch
            {
                T already => already,
                JsonElement json => KubernetesJson.Deserialize<T>(json.GetRawText()),
                _ => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj)),
            };
            yield return (type, typed);
        }
    }
}
