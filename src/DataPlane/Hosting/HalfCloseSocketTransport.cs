using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// Kestrel's transport for a component's IP listen address when its connections must half-close (the gateway:
/// tunnels). Accepts as Kestrel's socket transport does, and serves each socket as a <see cref="HalfCloseConnection"/>.
/// </summary>
internal sealed class HalfCloseSocketTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint is IPEndPoint { Address.AddressFamily: AddressFamily.InterNetworkV6 } ip && ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }

        return ValueTask.FromResult<IConnectionListener>(new Listener(socket));
    }

    private sealed class Listener(Socket socket) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                try
                {
                    return new HalfCloseConnection(await socket.AcceptAsync(cancellationToken));
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                {
                    // The peer gave up before we accepted it: take the next one.
                }
                catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException or SocketException)
                {
                    // Unbound (the socket closed under the accept): Kestrel stops accepting.
                    return null;
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
