using System.Net.Sockets;

namespace ErieCanal.Orleans.DataPlane.Tunnel;

/// <summary>
/// One side of a spliced connection: where its bytes are read, where bytes for it are written, and how its sending
/// side is ended on its own (a half-close) once the other side has nothing more to say.
/// </summary>
internal sealed class SpliceEnd(
    Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
    Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
    Func<ValueTask> shutdownSend)
{
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => read(buffer, cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => write(bytes, cancellationToken);

    public ValueTask ShutdownSendAsync() => shutdownSend();

    /// <summary>A connected socket, both ways.</summary>
    public static SpliceEnd Of(Socket socket) => Of(socket, (buffer, ct) => socket.ReceiveAsync(buffer, SocketFlags.None, ct));

    /// <summary>
    /// Reads through <paramref name="read"/> (a stream that may hold bytes it already took off the socket, as an
    /// HTTP client's after a 101), writes and half-closes on <paramref name="socket"/> itself.
    /// </summary>
    public static SpliceEnd Of(Socket socket, Func<Memory<byte>, CancellationToken, ValueTask<int>> read) => new(
        read,
        async (bytes, ct) =>
        {
            while (!bytes.IsEmpty)
            {
                var sent = await socket.SendAsync(bytes, SocketFlags.None, ct);
                bytes = bytes[sent..];
            }
        },
        () =>
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            return ValueTask.CompletedTask;
        });

    /// <summary>A duplex stream (an upgraded request's), flushed after each write, half-closed by <paramref name="shutdownSend"/>.</summary>
    public static SpliceEnd Of(Stream stream, Func<ValueTask> shutdownSend) => new(
        stream.ReadAsync,
        async (bytes, ct) =>
        {
            await stream.WriteAsync(bytes, ct);
            await stream.FlushAsync(ct);
        },
        shutdownSend);
}
