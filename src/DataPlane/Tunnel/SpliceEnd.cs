using System.Net.Sockets;

namespace ErieCanal.Orleans.DataPlane.Tunnel;

/// <summary>
/// One side of a spliced connection: where its bytes are read, where bytes for it are written, and how its sending
/// side is ended on its own (a half-close) once the other side has nothing more to say. An end that is a bare socket
/// (<see cref="Socket"/>) lets the kernel move the bytes (<see cref="KernelSplice"/>); <see cref="Buffered"/> are
/// bytes already taken off it (with an HTTP handshake) that go to the other side first.
/// </summary>
internal sealed class SpliceEnd(
    Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
    Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
    Func<ValueTask> shutdownSend)
{
    public Socket? Socket { get; private init; }

    public ReadOnlyMemory<byte> Buffered { get; private init; }

    /// <summary>Awaited before bytes are taken from or given to this end (a blackholed address holds them); null when never held.</summary>
    public Func<CancellationToken, ValueTask>? Gate { get; private init; }

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => read(buffer, cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => write(bytes, cancellationToken);

    public ValueTask ShutdownSendAsync() => shutdownSend();

    /// <summary>A connected socket, both ways; <paramref name="buffered"/> was read off it already.</summary>
    public static SpliceEnd Of(Socket socket, ReadOnlyMemory<byte> buffered = default, Func<CancellationToken, ValueTask>? gate = null)
    {
        var end = Of(socket, (buffer, ct) => socket.ReceiveAsync(buffer, SocketFlags.None, ct));
        return new SpliceEnd(
            gate is null ? end.ReadAsync : async (buffer, ct) =>
            {
                await gate(ct);
                return await end.ReadAsync(buffer, ct);
            },
            gate is null ? end.WriteAsync : async (bytes, ct) =>
            {
                await gate(ct);
                await end.WriteAsync(bytes, ct);
            },
            end.ShutdownSendAsync) { Socket = socket, Buffered = buffered, Gate = gate };
    }

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

    /// <summary>
    /// A duplex stream (an upgraded request's), flushed after each write, half-closed by <paramref name="shutdownSend"/>;
    /// <paramref name="buffered"/> was read off it already.
    /// </summary>
    public static SpliceEnd Of(Stream stream, Func<ValueTask> shutdownSend, ReadOnlyMemory<byte> buffered = default) => new(
        stream.ReadAsync,
        async (bytes, ct) =>
        {
            await stream.WriteAsync(bytes, ct);
            await stream.FlushAsync(ct);
        },
        shutdownSend) { Buffered = buffered };
}
