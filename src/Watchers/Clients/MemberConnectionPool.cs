using System.Net;
using k8s;

namespace ErieCanal.Orleans.Watchers.Clients;

/// <summary>
/// The connections to one member's API server. HTTP/2 where the server offers it: every watch and request is a stream
/// on one connection (<see cref="SocketsHttpHandler.EnableMultipleHttp2Connections"/> off: beyond the server's
/// stream limit, 100 by Kestrel's and 250 by Go's default, requests wait for a stream instead of opening connections;
/// a member carries six watches and at most a few dozen requests). HTTP/1.1 otherwise: requests share
/// <see cref="MemberConnectionOptions.Http1RequestConnections"/> connections and each watch holds one of its own in a
/// separate lane. Which one is decided once per pool by a <c>GET /version</c>: over TLS ALPN answers; on cleartext
/// the request is sent as HTTP/2 by prior knowledge and a server that only speaks HTTP/1.1 fails it as a protocol error.
/// </summary>
internal sealed class MemberConnectionPool : IDisposable
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);

    private readonly Uri _server;
    private readonly bool _http2;
    private readonly TimeSpan _probeTimeout;
    private readonly Owner _requests;
    private readonly Lazy<Owner> _watches;
    private readonly Lock _gate = new();
    private Task<Version?>? _protocol;

    /// <param name="kubeconfig">The member's kubeconfig, checked by <see cref="KubeconfigLoader.Configure"/>.</param>
    /// <param name="requestTimeout">The bound on a request; also on the probe that tells the protocol.</param>
    /// <param name="allowExec">See <see cref="KubeconfigLoader.Load"/>.</param>
    /// <param name="options">HTTP/2 or not, and the HTTP/1.1 bound.</param>
    public MemberConnectionPool(string kubeconfig, TimeSpan requestTimeout, bool allowExec, MemberConnectionOptions options)
    {
        // Each handler owner gets a configuration of its own: the handler set-up hook is per configuration.
        KubernetesClientConfiguration Configure() => KubeconfigLoader.Configure(kubeconfig, requestTimeout, allowExec);
        _requests = Owner.Create(Configure(), kubeconfig, options.Http1RequestConnections);
        _watches = new Lazy<Owner>(() => Owner.Create(Configure(), kubeconfig, int.MaxValue), LazyThreadSafetyMode.ExecutionAndPublication);
        _server = _requests.Server;
        _http2 = options.Http2;
        _probeTimeout = requestTimeout;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await ProtocolAsync(cancellationToken) == HttpVersion.Version20)
        {
            (request.Version, request.VersionPolicy) = (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact);
            return await _requests.Invoker.SendAsync(request, cancellationToken);
        }

        (request.Version, request.VersionPolicy) = (HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrLower);
        return await (IsWatch(request) ? _watches.Value : _requests).Invoker.SendAsync(request, cancellationToken);
    }

    public void Dispose()
    {
        _requests.Dispose();
        if (_watches.IsValueCreated)
        {
            _watches.Value.Dispose();
        }
    }

    /// <summary>HTTP/2 or HTTP/1.1 once known; null while it cannot be told (the server is unreachable): asked again next time.</summary>
    private async Task<Version?> ProtocolAsync(CancellationToken cancellationToken)
    {
        if (!_http2)
        {
            return HttpVersion.Version11;
        }

        Task<Version?> probe;
        lock (_gate)
        {
            probe = _protocol ??= ProbeAsync();
        }

        var protocol = await probe.WaitAsync(cancellationToken);
        if (protocol is null)
        {
            lock (_gate)
            {
                if (_protocol == probe)
                {
                    _protocol = null;
                }
            }
        }

        return protocol;
    }

    private async Task<Version?> ProbeAsync()
    {
        var cleartext = _server.Scheme == Uri.UriSchemeHttp;
        using var timeout = new CancellationTokenSource(_probeTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server, "version"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = cleartext ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
        };
        try
        {
            // Any answer tells the protocol, 401 included: the probe carries no credentials.
            using var response = await _requests.Invoker.SendAsync(request, timeout.Token);
            return response.Version.Major >= 2 ? HttpVersion.Version20 : HttpVersion.Version11;
        }
        catch (HttpRequestException ex) when (cleartext && ex.HttpRequestError is HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse
            or HttpRequestError.ResponseEnded or HttpRequestError.VersionNegotiationError)
        {
            return HttpVersion.Version11;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static bool IsWatch(HttpRequestMessage request) =>
        request.RequestUri?.Query.TrimStart('?').Split('&').Any(p => p is "watch=true" or "watch=1") == true;

    /// <summary>
    /// A client kept only for the handler KubernetesClient builds and configures from the kubeconfig (server
    /// certificate checks, client certificate): every client of the member sends through that handler.
    /// </summary>
    private sealed class Owner(Kubernetes client, HttpMessageInvoker invoker) : IDisposable
    {
        public HttpMessageInvoker Invoker { get; } = invoker;

        public Uri Server => client.BaseUri;

        public static Owner Create(KubernetesClientConfiguration config, string kubeconfig, int maxConnections)
        {
            SocketsHttpHandler? handler = null;
            config.FirstMessageHandlerSetup = h =>
            {
                handler = h;
                h.MaxConnectionsPerServer = maxConnections;
                h.EnableMultipleHttp2Connections = false;
                h.PooledConnectionIdleTimeout = IdleTimeout;
            };
            var client = KubeconfigLoader.Build(config, kubeconfig);
            return new Owner(client, new HttpMessageInvoker(handler!, disposeHandler: false));
        }

        public void Dispose()
        {
            Invoker.Dispose();
            client.Dispose();
        }
    }
}
