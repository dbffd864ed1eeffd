using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ErieCanal.Orleans.DataPlane.Proxy.Tcp;
using ErieCanal.Orleans.DataPlane.Tunnel;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>
/// The tunnels' byte mover on real loopback sockets: between two bare sockets the kernel moves the bytes (splice(2)),
/// between streams they are copied; both carry every byte both ways, pass each half-close on and deliver bytes that
/// were read off a socket before the splice began. And the HTTP client's handshake copy finds those bytes.
/// </summary>
public sealed class SpliceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_byte_crosses_both_ways_and_each_half_close_is_passed_on(bool bareSockets)
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var sockets = await Sockets.OpenAsync();
        var (client, clientSide, upstreamSide, upstream) = sockets;
        var up = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var down = RandomNumberGenerator.GetBytes((2 * 1024 * 1024) + 17);
        var early = "early"u8.ToArray();
        var counted = new long[2];
        var splice = Splice.RunAsync(
            End(clientSide, early, bareSockets),
            End(upstreamSide, default, bareSockets),
            n => Interlocked.Add(ref counted[0], n),
            n => Interlocked.Add(ref counted[1], n),
            timeout.Token);

        // The client sends and ends its side; the upstream reads to the end, then answers and ends its own.
        var sending = SendAndEndAsync(client, up, timeout.Token);
        var atUpstream = await ReadToEndAsync(upstream, timeout.Token);
        await sending;
        await SendAndEndAsync(upstream, down, timeout.Token);
        var atClient = await ReadToEndAsync(client, timeout.Token);

        Assert.True(await splice);
        Assert.Equal([.. early, .. up], atUpstream);
        Assert.Equal(down, atClient);
        Assert.Equal(early.Length + up.Length, counted[0]);
        Assert.Equal(down.Length, counted[1]);
    }

    [Fact]
    public async Task A_reset_on_one_side_ends_the_splice_as_failed()
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var sockets = await Sockets.OpenAsync();
        var (client, clientSide, upstreamSide, upstream) = sockets;
        var splice = Splice.RunAsync(SpliceEnd.Of(clientSide), SpliceEnd.Of(upstreamSide), _ => { }, _ => { }, timeout.Token);
        await client.SendAsync("x"u8.ToArray(), timeout.Token);
        Assert.Equal(1, await upstream.ReceiveAsync(new byte[8], timeout.Token));

        upstream.LingerState = new LingerOption(true, 0);
        upstream.Close();
        Assert.False(await splice);
    }

    [Theory]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\nhello", "hello")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n\r\n", "")]
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n\r\n\r\nrest", "\r\n\r\nrest")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n", null)]
    public async Task The_handshake_copy_finds_the_bytes_after_the_101(string received, string? after)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var (gateway, tunnel) = await PairAsync();
        using (gateway)
        using (tunnel)
        await using (var stream = new HandshakeStream(tunnel))
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(received);
            await gateway.SendAsync(bytes, timeout.Token);
            gateway.Shutdown(SocketShutdown.Send);
            var buffer = new byte[bytes.Length + 16];
            var read = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0)
            {
                read += n;
            }

            var found = stream.AfterSwitchingProtocols();
            Assert.Equal(after, found is null ? null : System.Text.Encoding.ASCII.GetString(found));
        }
    }

    // A bare socket lets the kernel move the bytes; a stream over it makes them go through this process.
    private static SpliceEnd End(Socket socket, ReadOnlyMemory<byte> buffered, bool bare)
    {
        if (bare)
        {
            return SpliceEnd.Of(socket, buffered);
        }

        var stream = new NetworkStream(socket, ownsSocket: false);
        return SpliceEnd.Of(
            stream,
            () =>
            {
                socket.Shutdown(SocketShutdown.Send);
                return ValueTask.CompletedTask;
            },
            buffered);
    }

    private static async Task<(Socket Connected, Socket Accepted)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var connected = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepting = listener.AcceptAsync();
        await connected.ConnectAsync(listener.LocalEndPoint!);
        return (connected, await accepting);
    }

    // A client connected to the splice's client side, the splice's upstream side connected to an upstream.
    private sealed record Sockets(Socket Client, Socket ClientSide, Socket UpstreamSide, Socket Upstream) : IDisposable
    {
        public static async Task<Sockets> OpenAsync()
        {
            var (client, clientSide) = await PairAsync();
            var (upstreamSide, upstream) = await PairAsync();
            return new Sockets(client, clientSide, upstreamSide, upstream);
        }

        public void Dispose()
        {
            Client.Dispose();
            ClientSide.Dispose();
            UpstreamSide.Dispose();
            Upstream.Dispose();
        }
    }

    private static async Task SendAndEndAsync(Socket socket, byte[] bytes, CancellationToken cancellationToken)
    {
        for (var sent = 0; sent < bytes.Length;)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent, Math.Min(64 * 1024, bytes.Length - sent)), SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }
}
