using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Sandbox.Tests.DataPlane;

/// <summary>
/// A TCP upstream that echoes every byte back and, once its peer half-closes, sends a trailer and closes: enough
/// to see a relay pass bytes and FINs through unchanged.
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable
{
    public const string Trailer = "<eof>";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _received;

    public EchoUpstream()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>How many bytes reached the upstream, over all connections.</summary>
    public int Received => Volatile.Read(ref _received);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = EchoAsync(client);
            }
        }
        // Disposal stops the listener; an accept that starts after that says "not listening".
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task EchoAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                int read;
                while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    Interlocked.Add(ref _received, read);
                    await stream.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }

                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(Trailer), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
