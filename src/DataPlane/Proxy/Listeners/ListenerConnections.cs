using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.Proxy.Tcp;

namespace ErieCanal.Orleans.DataPlane.Proxy.Listeners;

/// <summary>
/// What becomes of a connection a listener accepted: HTTP goes to the proxy's own Kestrel pipeline, exactly as a
/// request on its HTTP port (the peeked bytes still unread, the listener's route as a connection feature); TCP goes
/// through <see cref="TcpForwarder"/>. Which one, the Service port declares, else the first bytes tell.
/// </summary>
internal sealed class ListenerConnections(AdoptedConnections adopted, TcpForwarder tcp, TimeSpan sniffTimeout)
{
    public async Task ServeAsync(Socket socket, ListenerRoute route, CancellationToken cancellationToken)
    {
        var http = route.Protocol switch
        {
            ListenerProtocol.Http => true,
            ListenerProtocol.Tcp => false,
            _ => await ProtocolSniffer.IsHttpAsync(socket, sniffTimeout, cancellationToken),
        };
        if (!http)
        {
            await tcp.ServeAsync(socket, route, cancellationToken);
            return;
        }

        if (!adopted.TryAdopt(socket, features => features.Set(route)))
        {
            // The proxy is stopping.
            socket.Dispose();
        }
    }
}
