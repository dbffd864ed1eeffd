using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ErieCanal.Orleans.DataPlane.Tests.Infrastructure;

/// <summary>
/// A plain TCP "pod" on its own 127.x address. It speaks first (<c>hello from NAME\n</c>, as a server-first protocol
/// does). An echo pod then echoes what it gets and, at the client's end of input, writes <c>bye N\n</c> (N bytes seen)
/// before it closes; a closer pod half-closes right after its greeting and records what the client still sends.
/// </summary>
public sealed class TcpPod : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _closer;

    private TcpPod(string name, bool closer)
    {
        Name = name;
        _closer = closer;
        _listener = new TcpListener(Backend.NextAddress(), 0);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _ = AcceptAsync();
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public string Ip => EndPoint.Address.ToString();

    public int Port => EndPoint.Port;

    public int Accepted => _accepted;

    /// <summary>What a closer pod received after its half-close, per connection, once the client ended its side.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ReceivedAfterHalfClose { get; } = new();

    private int _accepted;

    public static TcpPod Echo(string name) => new(name, closer: false);

    public static TcpPod Closer(string name) => new(name, closer: true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var owned = socket;
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"hello from {Name}\n"), _stop.Token);
            var buffer = new byte[4096];
            if (_closer)
            {
                socket.Shutdown(SocketShutdown.Send);
                var received = new StringBuilder();
                int read;
                while ((read = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                ReceivedAfterHalfClose.Enqueue(received.ToString());
                return;
            }

            long seen = 0;
            int n;
            while ((n = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                seen += n;
                await socket.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes($"bye {seen}\n"), _stop.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
