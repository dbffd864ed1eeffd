using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.Sandbox.Hosting;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// The listening sockets of one Service's cluster IP ports. A connection whose Service has no ready endpoint for
/// its port is closed at once with a reset, as a client of a real cluster sees "connection refused" from iptables'
/// REJECT rule.
/// </summary>
internal sealed class ServiceListeners : IAsyncDisposable
{
    private readonly List<Socket> _sockets;
    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _accepting;

    private ServiceListeners(IReadOnlyList<IPEndPoint> endPoints, List<Socket> sockets, Func<int, IPEndPoint?> route, CancellationToken cancellationToken)
    {
        EndPoints = endPoints;
        _sockets = sockets;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _accepting = [.. sockets.Select(s => Task.Run(() => AcceptAsync(s, route, _stop.Token)))];
    }

    public IReadOnlyList<IPEndPoint> EndPoints { get; }

    public static ServiceListeners Start(IReadOnlyList<IPEndPoint> endPoints, Func<int, IPEndPoint?> route, CancellationToken cancellationToken)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var endPoint in endPoints)
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(endPoint);
                socket.Listen(512);
            }
        }
        catch
        {
            sockets.ForEach(s => s.Dispose());
            throw;
        }

        return new ServiceListeners(endPoints, sockets, route, cancellationToken);
    }

    private static async Task AcceptAsync(Socket listener, Func<int, IPEndPoint?> route, CancellationToken cancellationToken)
    {
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, route(port), cancellationToken);
        }
    }

    private static async Task RelayAsync(Socket client, IPEndPoint? target, CancellationToken cancellationToken)
    {
        using (client)
        {
            if (target is null)
            {
                client.LingerState = new LingerOption(true, 0);
                return;
            }

            using var upstream = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(target, cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.LingerState = new LingerOption(true, 0);
                return;
            }

            client.NoDelay = true;
            await TcpRelay.RunAsync(client, upstream, _ => ValueTask.CompletedTask, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _sockets.ForEach(s => s.Dispose());
        await Task.WhenAll(_accepting);
        _stop.Dispose();
    }
}
