using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>
/// An <see cref="IResourceSource{T}"/> over KubernetesClient calls: pages the list, and turns the client's two ways
/// of reporting 410 (an ERROR event handed to onError, or an HTTP status) into <see cref="ResourceExpiredException"/>.
/// </summary>
internal sealed class KubernetesResourceSource<T>(
    string description,
    KubernetesResourceSource<T>.ListPage listPage,
    KubernetesResourceSource<T>.OpenWatch openWatch) : IResourceSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Pages keep a single response small on big clusters; the server keeps them one consistent snapshot.</summary>
    internal const int PageSize = 500;

    internal delegate Task<(IList<T>? Items, V1ListMeta? Metadata)> ListPage(string? continueToken, int limit, CancellationToken cancellationToken);

    internal delegate IAsyncEnumerable<(WatchEventType Type, T Object)> OpenWatch(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);

    public string Description { get; } = description;

    public async Task<ResourceList<T>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            IList<T>? pageItems;
            V1ListMeta? metadata;
            try
            {
                (pageItems, metadata) = await listPage(continueToken, PageSize, cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                // The continue token outlived the snapshot it pointed into.
                throw new ResourceExpiredException($"listing {Description}: {ex.Message}");
            }

            items.AddRange(pageItems ?? []);
            resourceVersion = metadata?.ResourceVersion ?? "";
            continueToken = metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return new ResourceList<T>(items, resourceVersion);
    }

    public async IAsyncEnumerable<ResourceEvent<T>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // KubernetesClient hands ERROR events (a Status) to onError instead of yielding them.
        Exception? streamError = null;
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(serverTimeout.TotalSeconds));
        var events = openWatch(resourceVersion, timeoutSeconds, e => streamError ??= e, cancellationToken);
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (await MoveNextAsync(enumerator, () => streamError))
        {
            var (type, obj) = enumerator.Current;
            var version = obj?.Metadata?.ResourceVersion ?? "";
            yield return new ResourceEvent<T>(type, type == WatchEventType.Bookmark ? null : obj, version);
        }
    }

    private async Task<bool> MoveNextAsync(IAsyncEnumerator<(WatchEventType, T)> enumerator, Func<Exception?> streamError)
    {
        bool more;
        try
        {
            more = await enumerator.MoveNextAsync();
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceExpiredException($"watching {Description}: {ex.Message}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is EndOfStreamException)
        {
            // KubernetesClient waits for a first line; a watch the server ended without one is empty, not broken.
            more = false;
        }

        switch (streamError())
        {
            case null:
                return more;
            case KubernetesException { Status.Code: 410 } gone:
                throw new ResourceExpiredException($"watching {Description}: {gone.Status.Message}");
            case var other:
                throw new WatchStreamException($"watching {Description}: {other.Message}", other);
        }
    }
}
