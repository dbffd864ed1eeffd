using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// A connection served by Kestrel over plain stream pipes on a socket: a flush returns once the bytes are with the
/// kernel, the peer's FIN is an end of input and nothing more, and <see cref="IHalfCloseFeature"/> sends FIN alone.
/// What a gateway needs to pass half-closes through its tunnels (see <see cref="IHalfCloseFeature"/>).
/// </summary>
internal sealed class HalfCloseConnection : DefaultConnectionContext, IHalfCloseFeature
{
    private readonly Socket _socket;

    public HalfCloseConnection(Socket socket)
        : base(Guid.NewGuid().ToString("N"))
    {
        _socket = socket;
        socket.NoDelay = true;
        var stream = new NetworkStream(socket, ownsSocket: false);
        Transport = new DuplexPipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        Features.Set<IHalfCloseFeature>(this);
    }

    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone: nothing left to end.
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        base.Abort(abortReason);
        _socket.Dispose();
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await base.DisposeAsync();
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
