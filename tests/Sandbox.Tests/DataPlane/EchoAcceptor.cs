using System.Collections.Concurrent;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Sandbox.Tests.DataPlane;

/// <summary>
/// An in-process server taking the gateway address's connections itself (see <c>SandboxGateway.Acceptor</c>): it
/// echoes every byte back, awaiting the gate it was handed before it passes bytes on, as an adopting gateway must.
/// </summary>
internal sealed class EchoAcceptor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private int _adopted;
    private int _received;

    /// <summary>How many connections were handed over.</summary>
    public int Adopted => Volatile.Read(ref _adopted);

    /// <summary>How many bytes got past the gate, over all connections.</summary>
    public int Received => Volatile.Read(ref _received);

    public bool Adopt(Socket socket, Func<CancellationToken, ValueTask> whileBlocked)
    {
        Interlocked.Increment(ref _adopted);
        _connections.Add(EchoAsync(socket, whileBlocked));
        return true;
    }

    private async Task EchoAsync(Socket socket, Func<CancellationToken, ValueTask> whileBlocked)
    {
        using (socket)
        {
            try
            {
                var buffer = new byte[4096];
                int read;
                while ((read = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    await whileBlocked(_stop.Token);
                    Interlocked.Add(ref _received, read);
                    await socket.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}
