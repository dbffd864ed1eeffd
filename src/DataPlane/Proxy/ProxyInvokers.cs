using System.Net;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// The proxy's one connection pool, reached two ways: <see cref="PerTry"/> for an attempt that can still be
/// retried elsewhere (no response headers within the per-try timeout: abandoned), <see cref="Plain"/> for the last
/// attempt and for requests that are never retried (bounded by the activity timeout only).
/// </summary>
internal sealed class ProxyInvokers : IDisposable
{
    private readonly SocketsHttpHandler _sockets;

    public ProxyInvokers(ProxyOptions options)
    {
        // No system proxy, no redirects, no cookies: the bytes pass as sent.
        _sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ActivityHeadersPropagator = null,
        };
        Plain = new HttpMessageInvoker(_sockets, disposeHandler: false);
        PerTry = options.TryTimeout == Timeout.InfiniteTimeSpan
            ? Plain
            : new HttpMessageInvoker(new TryTimeoutHandler(options.TryTimeout, _sockets), disposeHandler: false);
    }

    public HttpMessageInvoker Plain { get; }

    public HttpMessageInvoker PerTry { get; }

    public void Dispose()
    {
        // Neither invoker owns a handler: disposing the socket handler closes the pool.
        _sockets.Dispose();
    }
}
