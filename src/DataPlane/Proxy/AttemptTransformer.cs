using Yarp.ReverseProxy.Forwarder;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// One forwarding attempt: the endpoint's path before the request's, the client's Host kept, this proxy added to the
/// hop marker (<see cref="DataPlaneHeaders.Hop"/>), and a 5xx answer
/// held back (not copied to the client) when the retry policy lets it be retried elsewhere.
/// </summary>
internal sealed class AttemptTransformer(ServiceRoute route, ProxyAddress address, string pathAndQuery, string host, string hops, bool retry5xx, OutlierDetector outliers) : HttpTransformer
{
    /// <summary>The attempt got a 5xx that was not passed on: the response is untouched, retry on <see cref="Next"/>.</summary>
    public bool HeldBack { get; private set; }

    public int HeldBackStatus { get; private set; }

    /// <summary>Where a held-back 5xx is retried.</summary>
    public ProxyAddress? Next { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = address.UriFor(pathAndQuery);
        proxyRequest.Headers.Host = host;
        proxyRequest.Headers.Remove(DataPlaneHeaders.Hop);
        proxyRequest.Headers.TryAddWithoutValidation(DataPlaneHeaders.Hop, hops);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        // A 5xx is retried elsewhere, another cluster first (its pods likely share the fault), the best tier first: an
        // Active endpoint when there is one, else a FailOver standby (only idempotent requests get here).
        if (proxyResponse is not null && (int)proxyResponse.StatusCode >= 500 && retry5xx
            && route.PickElsewhere(address, ProxyTier.Active, ProxyTier.Standby, outliers) is { } next)
        {
            HeldBack = true;
            HeldBackStatus = (int)proxyResponse.StatusCode;
            Next = next;
            return ValueTask.FromResult(false);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
