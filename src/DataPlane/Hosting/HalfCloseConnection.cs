using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// A connection served by Kestrel over plain stream pipes on a socket: a flush returns once the bytes are with the
/// kernel, the peer's FIN is an end of input and nothing more, and <see cref="IHalfCloseFeature"/> sends FIN alone.
/// What a gateway needs to pass half-closes through its tunnels (see <see cref="IHalfCloseFeature"/>).
/// </summary>
internal sealed class HalfCloseConnection : DefaultConnectionContext, IHalfCloseFeature, ISocketTakeOverFeature
{
    private readonly Socket _socket;
    private readonly PipeReader _input;

    public HalfCloseConnection(Socket socket)
        : base(Guid.NewGuid().ToString("N"))
    {
        _socket = socket;
        socket.NoDelay = true;
        var stream = new NetworkStream(socket, ownsSocket: false);

        // Reads as large as a tunnel's chunks: the pipe's default of 4 KiB costs a receive call per 4 KiB.
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        Transport = new DuplexPipe(_input, PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        Features.Set<IHalfCloseFeature>(this);
        Features.Set<ISocketTakeOverFeature>(this);
    }

    public TakenSocket? TakeOver()
    {
        var buffered = ReadOnlyMemory<byte>.Empty;
        try
        {
            // What Kestrel read past the request's headers is still in the pipe, unconsumed.
            if (_input.TryRead(out var result))
            {
                buffered = result.Buffer.ToArray();
                _input.AdvanceTo(result.Buffer.End);
            }
        }
        catch (InvalidOperationException)
        {
            // A read is pending: the pipe may take more off the socket at any time.
            return null;
        }

        var gate = Features.Get<ConnectionGate>();
        return new TakenSocket(_socket, buffered, gate is null ? null : gate.WhileBlockedAsync);
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
