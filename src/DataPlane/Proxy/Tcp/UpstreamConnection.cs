using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Tunnel;

namespace ErieCanal.Orleans.DataPlane.Proxy.Tcp;

/// <summary>
/// An open upstream of a TCP connection: a tunnel through a gateway (read through the HTTP client's stream, which
/// may hold bytes that came with the 101; written and half-closed on the socket itself) or a connection to a pod.
/// </summary>
internal sealed class UpstreamConnection(Socket socket, Stream? reader, IDisposable? response) : IDisposable
{
    public SpliceEnd End { get; } = reader is null ? SpliceEnd.Of(socket) : SpliceEnd.Of(socket, reader.ReadAsync);

    public void Dispose()
    {
        reader?.Dispose();
        response?.Dispose();
        socket.Dispose();
    }
}
