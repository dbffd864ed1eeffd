using System.Net.Sockets;
using System.Text;

namespace ErieCanal.Orleans.DataPlane.Proxy.Listeners;

/// <summary>
/// Tells an HTTP/1.x client from anything else by its first bytes, peeked (left in the socket for whoever serves
/// the connection): a known method and a space is HTTP; other bytes, an end, or silence for the timeout (a protocol
/// where the server speaks first) is TCP.
/// </summary>
internal static class ProtocolSniffer
{
    private static readonly byte[][] Methods = [.. new[] { "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "TRACE ", "CONNECT " }.Select(Encoding.ASCII.GetBytes)];

    // More bytes of a request line are usually in the same segment; when not, look again this soon.
    private static readonly TimeSpan Again = TimeSpan.FromMilliseconds(5);

    public static async Task<bool> IsHttpAsync(Socket socket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var buffer = new byte[8];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var seen = await socket.ReceiveAsync(buffer, SocketFlags.Peek, deadline.Token);
                if (seen == 0 || Classify(buffer.AsSpan(0, seen)) is not { } http)
                {
                    if (seen == 0)
                    {
                        return false;
                    }

                    await Task.Delay(Again, deadline.Token);
                    continue;
                }

                return http;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>True: a method and a space; false: not a request line; null: a method's beginning, too short to tell.</summary>
    public static bool? Classify(ReadOnlySpan<byte> start)
    {
        var prefix = false;
        foreach (var method in Methods)
        {
            if (start.StartsWith(method))
            {
                return true;
            }

            prefix |= method.AsSpan().StartsWith(start);
        }

        return prefix ? null : false;
    }
}
