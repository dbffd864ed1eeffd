using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Tunnel;

namespace ErieCanal.Orleans.DataPlane.Proxy.Tcp;

/// <summary>
/// An open upstream of a TCP connection: a tunnel through a gateway (read through the HTTP client's stream, which
/// may hold bytes that came with the 101; written and half-closed on the socket itself) or a connection to a pod.
/// </summary>
internal sealed class UpstreamConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream? _reader;
    private readonly IDisposable? _response;

    /// <summary>A connection to a pod, or a tunnel whose socket is read directly (<paramref name="buffered"/> came with the 101).</summary>
    public UpstreamConnection(Socket socket, ReadOnlyMemory<byte> buffered, IDisposable? response)
    {
        _socket = socket;
        _response = response;
        End = SpliceEnd.Of(socket, buffered);
    }

    /// <summary>A tunnel read through the HTTP client's stream.</summary>
    public UpstreamConnection(Socket socket, Stream reader, IDisposable response)
    {
        _socket = socket;
        _reader = reader;
        _response = response;
        End = SpliceEnd.Of(socket, reader.ReadAsync);
    }

    public SpliceEnd End { get; }

    public void Dispose()
    {
        _reader?.Dispose();
        _response?.Dispose();
        _socket.Dispose();
    }
}
