using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>
/// One kind of object on one cluster, reduced to the two calls an informer needs. Keeps the informer free of
/// KubernetesClient's per-type method zoo and lets tests substitute a source.
/// </summary>
public interface IResourceSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>For logs and status reasons, e.g. "services (all namespaces) on cluster-1".</summary>
    string Description { get; }

    Task<ResourceList<T>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks and the given server-side timeout.
    /// Throws <see cref="ResourceExpiredException"/> when the server answers 410 (ERROR event or HTTP status).
    /// </summary>
    IAsyncEnumerable<ResourceEvent<T>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, CancellationToken cancellationToken);
}
