using Yarp.ReverseProxy.Forwarder;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// One forwarding attempt: the endpoint's path before the request's, the client's Host kept, and a 5xx answer
/// held back (not copied to the client) when the caller can still retry it elsewhere.
/// </summary>
internal sealed class AttemptTransformer(ProxyAddress address, string pathAndQuery, string host, Func<bool> canRetry) : HttpTransformer
{
    /// <summary>The attempt got a 5xx that was not passed on: the response is untouched, retry.</summary>
    public bool HeldBack { get; private set; }

    public int HeldBackStatus { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = new Uri($"http://{address.Authority}{address.PathFor(pathAndQuery)}", UriKind.Absolute);
        proxyRequest.Headers.Host = host;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && (int)proxyResponse.StatusCode >= 500 && canRetry())
        {
            HeldBack = true;
            HeldBackStatus = (int)proxyResponse.StatusCode;
            return ValueTask.FromResult(false);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
