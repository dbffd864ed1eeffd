using System.Buffers;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// Relays one accepted connection to its upstream byte for byte, in both directions at once. A FIN is passed on as
/// a half-close, so either side may finish sending first; a reset or error on either side tears down both.
/// </summary>
internal static class TcpRelay
{
    private const int BufferSize = 16 * 1024;

    /// <summary>Relays until both sides have finished sending, or either breaks. <paramref name="beforeWrite"/> is
    /// awaited before bytes (or a FIN) are passed on: how a blackhole stalls open connections.</summary>
    public static async Task RunAsync(Socket client, Socket upstream, Func<CancellationToken, ValueTask> beforeWrite, CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toUpstream = PumpAsync(client, upstream, beforeWrite, both.Token);
        var toClient = PumpAsync(upstream, client, beforeWrite, both.Token);
        var first = await Task.WhenAny(toUpstream, toClient);
        if (!first.IsCompletedSuccessfully)
        {
            await both.CancelAsync();
        }

        try
        {
            await Task.WhenAll(toUpstream, toClient);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side went away: the caller closes both sockets.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, Func<CancellationToken, ValueTask> beforeWrite, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken);
                await beforeWrite(cancellationToken);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                for (var sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
