using System.Net;
using System.Runtime.CompilerServices;
using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>
/// EndpointSlices in all namespaces that match a label selector, so a component that needs only a few slices
/// (the multi-cluster ones) neither lists nor caches every slice of the member. Reports a 410 (list continue token,
/// watch status or ERROR event) as <see cref="ResourceExpiredException"/>, which makes the informer list again.
/// </summary>
public sealed class SelectedEndpointSlices(IKubernetes client, string labelSelector, string description) : IResourceSource<V1EndpointSlice>
{
    private const int PageSize = 500;

    public string Description { get; } = description;

    public async Task<ResourceList<V1EndpointSlice>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<V1EndpointSlice>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            V1EndpointSliceList page;
            try
            {
                page = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                throw new ResourceExpiredException($"listing {Description}: {ex.Message}");
            }

            items.AddRange(page.Items ?? []);
            resourceVersion = page.Metadata?.ResourceVersion ?? "";
            continueToken = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return new ResourceList<V1EndpointSlice>(items, resourceVersion);
    }

    public async IAsyncEnumerable<ResourceEvent<V1EndpointSlice>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // KubernetesClient hands ERROR events (a Status) to onError instead of yielding them.
        Exception? streamError = null;
        var events = client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
            allowWatchBookmarks: true,
            labelSelector: labelSelector,
            resourceVersion: resourceVersion,
            timeoutSeconds: Math.Max(1, (int)Math.Ceiling(serverTimeout.TotalSeconds)),
            onError: e => streamError ??= e,
            cancellationToken: cancellationToken);
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
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
                // A watch the server ended before its first line is empty, not broken.
                more = false;
            }

            switch (streamError)
            {
                case KubernetesException { Status.Code: 410 } gone:
                    throw new ResourceExpiredException($"watching {Description}: {gone.Status.Message}");
                case { } other:
                    throw new IOException($"watching {Description}: {other.Message}", other);
            }

            if (!more)
            {
                yield break;
            }

            var (type, slice) = enumerator.Current;
            yield return new ResourceEvent<V1EndpointSlice>(type, type == WatchEventType.Bookmark ? null : slice, slice?.Metadata?.ResourceVersion ?? "");
        }
    }
}
