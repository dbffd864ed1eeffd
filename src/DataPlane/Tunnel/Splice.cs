using System.Buffers;

namespace ErieCanal.Orleans.DataPlane.Tunnel;

/// <summary>
/// Copies bytes both ways between two connections until both directions have ended. An end of input on one side
/// half-closes the other (its peer sees EOF and may still answer); a failure on either side ends both. Between two
/// bare sockets the kernel moves the bytes (<see cref="KernelSplice"/>); otherwise, or where it cannot, they are copied.
/// </summary>
internal static class Splice
{
    private const int BufferSize = 32 * 1024;

    /// <summary>Runs until both directions ended; the callbacks count the bytes of each direction as they pass.</summary>
    /// <returns>Whether both directions ended cleanly (not by a failure or <paramref name="cancellationToken"/>).</returns>
    public static async Task<bool> RunAsync(SpliceEnd client, SpliceEnd upstream, Action<int> toUpstream, Action<int> fromUpstream, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var results = await Task.WhenAll(PumpAsync(client, upstream, toUpstream, failed), PumpAsync(upstream, client, fromUpstream, failed));
        return results[0] && results[1];
    }

    private static async Task<bool> PumpAsync(SpliceEnd from, SpliceEnd to, Action<int> counted, CancellationTokenSource failed)
    {
        byte[]? buffer = null;
        try
        {
            if (!from.Buffered.IsEmpty)
            {
                if (from.Gate is { } held)
                {
                    await held(failed.Token);
                }

                await to.WriteAsync(from.Buffered, failed.Token);
                counted(from.Buffered.Length);
            }

            if (from.Socket is { } source && to.Socket is { } target
                && await KernelSplice.PumpAsync(source, target, Gate(from.Gate, to.Gate), counted, failed.Token) is { } ended)
            {
                return ended;
            }

            buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            while (true)
            {
                var read = await from.ReadAsync(buffer, failed.Token);
                if (read == 0)
                {
                    await to.ShutdownSendAsync();
                    return true;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), failed.Token);
                counted(read);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException
            or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // A reset or a close on one side ends the other direction too: the caller closes both connections.
            await failed.CancelAsync();
            return false;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static Func<CancellationToken, ValueTask>? Gate(Func<CancellationToken, ValueTask>? first, Func<CancellationToken, ValueTask>? second) =>
        first is null ? second : second is null ? first : async ct =>
        {
            await first(ct);
            await second(ct);
        };
}
