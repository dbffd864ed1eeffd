using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Telemetry;

namespace ErieCanal.Orleans.DataPlane.Proxy.Tcp;

/// <summary>
/// Opens the proxy's TCP upstreams: an HTTP/1.1 Upgrade tunnel to a gateway (HttpClient does the HTTP; a fresh
/// connection per tunnel, since an upgraded connection is never reused), or a plain connection to a local pod.
/// The tunnel's socket is ours, not the HTTP client's: the client drops its stream at the first end of input, and
/// a half-closed tunnel still has to send.
/// </summary>
internal sealed class TunnelClient : IDisposable
{
    private static readonly HttpRequestOptionsKey<SocketHolder> SocketKey = new("ErieCanal.Orleans.TunnelSocket");

    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;

    public TunnelClient(TimeSpan connectTimeout)
    {
        _handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            ActivityHeadersPropagator = null,
            ConnectCallback = ConnectAsync,
        };
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    /// <summary>A tunnel to <paramref name="gateway"/> for <paramref name="service"/> (svc.ns:port); throws <see cref="TunnelException"/>.</summary>
    public async Task<UpstreamConnection> OpenTunnelAsync(ProxyAddress gateway, string service, string hops, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var holder = new SocketHolder();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.Origin + "/", UriKind.Absolute))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue(DataPlaneHeaders.TunnelProtocol));
        request.Headers.TryAddWithoutValidation(DataPlaneHeaders.Tunnel, service);
        request.Headers.TryAddWithoutValidation(DataPlaneHeaders.Hop, hops);
        request.Options.Set(SocketKey, holder);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            // HttpClient cancels by disposing its stream, which does not own the tunnel's socket (see ConnectAsync):
            // closing the socket is what ends a read the silent gateway never answers.
            using (deadline.Token.UnsafeRegister(static h => ((SocketHolder)h!).Dispose(), holder))
            {
                response = await _invoker.SendAsync(request, deadline.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
        {
            holder.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw deadline.IsCancellationRequested || ex is OperationCanceledException || Find<TimeoutException>(ex) is not null
                ? new TunnelException(AttemptFailure.Timeout, $"no answer within {timeout.TotalMilliseconds:0} ms", ex)
                : new TunnelException(Find<SocketException>(ex) is { SocketErrorCode: SocketError.ConnectionRefused } ? AttemptFailure.Refused : AttemptFailure.Connection, ex.Message, ex);
        }

        if (response.StatusCode != HttpStatusCode.SwitchingProtocols || holder.Socket is not { } socket || holder.Disposed)
        {
            var status = (int)response.StatusCode;
            var said = "";
            try
            {
                using (deadline.Token.UnsafeRegister(static h => ((SocketHolder)h!).Dispose(), holder))
                {
                    said = (await response.Content.ReadAsStringAsync(deadline.Token)).Trim();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
            {
            }

            response.Dispose();
            holder.Dispose();
            throw new TunnelException(status >= 500 ? AttemptFailure.Status5xx : AttemptFailure.Connection, $"the gateway answered {status}: {said}") { Status = status };
        }

        // Bytes that came with the 101 are in the client's buffer; the handshake's copy says which, and from there the
        // socket is the tunnel's alone. Without them, the client's stream is the way to read.
        return holder.Stream?.AfterSwitchingProtocols() is { } buffered
            ? new UpstreamConnection(socket, buffered, response)
            : new UpstreamConnection(socket, await response.Content.ReadAsStreamAsync(cancellationToken), response);
    }

    /// <summary>A plain connection to a local pod; throws <see cref="TunnelException"/>.</summary>
    public static async Task<UpstreamConnection> ConnectAsync(ProxyAddress pod, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(pod.Host), pod.Port, deadline.Token);
            return new UpstreamConnection(socket, ReadOnlyMemory<byte>.Empty, null);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                ? new TunnelException(AttemptFailure.Refused, ex.Message, ex)
                : ex is SocketException ? new TunnelException(AttemptFailure.Connection, ex.Message, ex)
                : new TunnelException(AttemptFailure.Timeout, $"no connection within {timeout.TotalMilliseconds:0} ms", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _invoker.Dispose();
        _handler.Dispose();
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        // A tunnel's socket belongs to the tunnel (see the class remarks); any other request's to the HTTP client.
        if (context.InitialRequestMessage.Options.TryGetValue(SocketKey, out var holder))
        {
            var stream = new HandshakeStream(socket);
            holder.Set(socket, stream);
            return stream;
        }

        return new NetworkStream(socket, ownsSocket: true);
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Hands the connected socket from the HTTP client's connect callback to the tunnel.</summary>
    private sealed class SocketHolder : IDisposable
    {
        private readonly Lock _lock = new();
        private bool _disposed;

        public Socket? Socket { get; private set; }

        public HandshakeStream? Stream { get; private set; }

        public bool Disposed
        {
            get
            {
                lock (_lock)
                {
                    return _disposed;
                }
            }
        }

        /// <summary>Takes the socket; when the tunnel was given up already, closes it at once.</summary>
        public void Set(Socket socket, HandshakeStream stream)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    socket.Dispose();
                    return;
                }

                Socket = socket;
                Stream = stream;
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                Socket?.Dispose();
            }
        }
    }
}
