using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// Connections accepted by someone else and handed to this server, served by Kestrel exactly as its own: how a
/// member's gateway takes the connections of the member's gateway address (the sandbox's load balancer) without a
/// relay in between. The one who accepted them keeps the connection-level switches (a gate; closing the socket).
/// </summary>
internal sealed class AdoptedConnections : IConnectionListenerFactory, IConnectionListenerFactorySelector, IAsyncDisposable
{
    private readonly Channel<(Socket Socket, ConnectionGate? Gate, Action<IFeatureCollection>? Features)> _handedOver =
        Channel.CreateUnbounded<(Socket, ConnectionGate?, Action<IFeatureCollection>?)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SocketConnectionContextFactory _contexts;
    private readonly bool _halfClose;

    /// <param name="loggerFactory">The host's.</param>
    /// <param name="halfClose">Serve the sockets as <see cref="HalfCloseConnection"/>s (the gateway: tunnels pass half-closes on).</param>
    public AdoptedConnections(ILoggerFactory loggerFactory, bool halfClose = false)
    {
        _halfClose = halfClose;
        // As Kestrel's own socket transport is configured (see DataPlaneApp): continuations inline, no extra hop.
        _contexts = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true },
            loggerFactory.CreateLogger<AdoptedConnections>());
    }

    /// <summary>Serves <paramref name="socket"/> (connected, accepted elsewhere); false once the server is stopping (then close it yourself).</summary>
    public bool TryAdopt(Socket socket, Func<CancellationToken, ValueTask> whileBlocked)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(whileBlocked);
        return _handedOver.Writer.TryWrite((socket, new ConnectionGate(whileBlocked), null));
    }

    /// <summary>
    /// Serves <paramref name="socket"/> with no gate; <paramref name="features"/> adds connection features the
    /// requests on it can read (the proxy's per-port listeners: which service the port is for). Bytes already
    /// peeked (not received) are still there for Kestrel to read. False once the server is stopping.
    /// </summary>
    public bool TryAdopt(Socket socket, Action<IFeatureCollection> features)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(features);
        return _handedOver.Writer.TryWrite((socket, null, features));
    }

    /// <summary>The connection middleware of the adopted endpoint: the gate goes around the transport.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Gate => next => connection =>
    {
        if (connection.Features.Get<ConnectionGate>() is { } gate)
        {
            connection.Transport = new GatedDuplexPipe(connection.Transport, gate);
        }

        return next(connection);
    };

    public bool CanBind(EndPoint endpoint) => endpoint is AdoptedEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new Listener(this, endpoint));

    public ValueTask DisposeAsync()
    {
        _handedOver.Writer.TryComplete();
        while (_handedOver.Reader.TryRead(out var pending))
        {
            pending.Socket.Dispose();
        }

        _contexts.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Listener(AdoptedConnections owner, EndPoint endpoint) : IConnectionListener
    {
        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                var (socket, gate, features) = await owner._handedOver.Reader.ReadAsync(cancellationToken);
                var connection = owner._halfClose ? new HalfCloseConnection(socket) : owner._contexts.Create(socket);
                if (gate is not null)
                {
                    connection.Features.Set(gate);
                }

                features?.Invoke(connection.Features);
                return connection;
            }
            catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
            {
                // Unbound or stopping: Kestrel stops accepting.
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            owner._handedOver.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
