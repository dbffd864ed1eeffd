using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Telemetry;

namespace ErieCanal.Orleans.DataPlane.Proxy.Listeners;

/// <summary>
/// The proxy's per-port listeners on its listen address, kept equal to the wanted set on every change: new ports
/// opened, gone ones closed (connections accepted on them run on until they end), a port that cannot be opened
/// (in use) logged, counted and tried again at the next change. Accepted connections go to the serve callback
/// with the listener's current route.
/// </summary>
internal sealed class PortListeners(IPAddress address, Func<Socket, ListenerRoute, CancellationToken, Task> serve, DataPlaneMetrics metrics, ILogger logger) : IDisposable
{
    private readonly Dictionary<int, Listener> _open = [];
    private readonly Dictionary<int, string> _refused = [];
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>The ports listening now.</summary>
    public IReadOnlyCollection<int> Ports
    {
        get
        {
            lock (_lock)
            {
                return [.. _open.Keys];
            }
        }
    }

    public void Apply(IReadOnlyDictionary<int, ListenerRoute> wanted, IReadOnlyDictionary<int, string> refused)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            // A refusal is told once, not at every change, until it goes away or changes.
            foreach (var (port, reason) in refused)
            {
                if (_refused.GetValueOrDefault(port) != reason)
                {
                    metrics.ListenFailure(port, "refused");
                    logger.ListenerRefused(port, reason);
                }
            }

            _refused.Clear();
            foreach (var (port, reason) in refused)
            {
                _refused[port] = reason;
            }

            foreach (var (port, listener) in _open.Where(o => !wanted.ContainsKey(o.Key)).ToList())
            {
                listener.Close();
                _open.Remove(port);
                logger.ListenerClosed(port, listener.Route.Service);
            }

            foreach (var (port, route) in wanted)
            {
                if (_open.TryGetValue(port, out var listener))
                {
                    listener.Route = route;
                    continue;
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(address, port));
                    socket.Listen(512);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    metrics.ListenFailure(port, ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "in_use" : "error");
                    logger.ListenFailed(port, route.Service, ex.SocketErrorCode.ToString());
                    continue;
                }

                listener = new Listener(socket, route);
                _open[port] = listener;
                _ = AcceptAsync(listener);
                logger.ListenerOpened(port, route.Service, route.Protocol.ToString());
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var listener in _open.Values)
            {
                listener.Close();
            }

            _open.Clear();
        }

        // Ends the connections still running too.
        _closing.Cancel();
        _closing.Dispose();
    }

    private async Task AcceptAsync(Listener listener)
    {
        var closing = _closing.Token;
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listener.Socket.AcceptAsync(closing);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue;
            }
            catch (SocketException)
            {
                // Closed under the accept (the listener went away).
                return;
            }

            _ = ServeAsync(accepted, listener.Route, closing);
        }
    }

    private async Task ServeAsync(Socket accepted, ListenerRoute route, CancellationToken closing)
    {
        try
        {
            await serve(accepted, route, closing);
        }
        catch (Exception ex)
        {
            accepted.Dispose();
            if (!closing.IsCancellationRequested)
            {
                logger.ConnectionFailed(ex, route.Service);
            }
        }
    }

    private sealed class Listener(Socket socket, ListenerRoute route)
    {
        public Socket Socket { get; } = socket;

        public ListenerRoute Route { get; set; } = route;

        public void Close() => Socket.Dispose();
    }
}
