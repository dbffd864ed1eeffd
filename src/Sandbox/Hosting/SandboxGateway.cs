using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// A member's gateway address as the outside world sees it, like a LoadBalancer Service in front of the gateway
/// pods: a listener on 127.0.0.1 and a stable port. Each connection goes to the in-process gateway that
/// <see cref="Acceptor"/> names (handed over, no relay: on a real cluster the load balancer is kernel NAT, not a
/// second connection), else is relayed to <see cref="Upstream"/> (any TCP server) or, while neither is set, to a
/// stand-in that answers <c>/healthz</c> and 404 <c>Service Not Found</c>. It can be stopped (refused, open
/// connections closed), blackholed (accepted, never answered; open connections stall) and started again on the
/// same port; these switches act on connections whichever way they are served.
/// </summary>
public sealed class SandboxGateway(string clusterName) : IAsyncDisposable
{
    // Linux SO_REUSEADDR: listen again on the same port while closed connections linger in TIME_WAIT (not SO_REUSEPORT,
    // which would let another socket share the port).
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<Task, byte> _connections = new();

    // Handed-over connections belong to the acceptor; kept only so that a stop can close them.
    private readonly ConcurrentDictionary<Socket, byte> _handedOver = new();
    private int _handOvers;
    private Func<Socket, Func<CancellationToken, ValueTask>, bool>? _acceptor;
    private Socket? _listener;
    private CancellationTokenSource? _session;
    private Task? _acceptLoop;
    private TaskCompletionSource _open = Opened();
    private GatewayStandIn? _standIn;
    private IPEndPoint? _upstream;
    private volatile GatewayState _state;

    public string ClusterName => clusterName;

    /// <summary>The port, fixed by the first start and kept through stops and blackholes; 0 before.</summary>
    public int Port { get; private set; }

    /// <summary>The address clients connect to, once started.</summary>
    public IPEndPoint? EndPoint => Port == 0 ? null : new IPEndPoint(IPAddress.Loopback, Port);

    public GatewayState State => _state;

    /// <summary>Whether the port accepts connections (serving or blackholed).</summary>
    public bool Running => _state != GatewayState.Stopped;

    /// <summary>Where new connections are relayed; null relays them to the built-in stand-in. Open ones keep theirs.</summary>
    public IPEndPoint? Upstream
    {
        get => Volatile.Read(ref _upstream);
        set => Volatile.Write(ref _upstream, value);
    }

    /// <summary>
    /// An in-process gateway that serves new connections itself (e.g. <c>DataPlaneServer.TryAdopt</c>), in place of
    /// the relay: it gets the accepted socket and a gate to await before it reads what arrived and before it sends
    /// (closed while blackholed), and returns false if it cannot take the connection (then it is closed). Takes
    /// precedence over <see cref="Upstream"/>; open connections keep the way they were served.
    /// </summary>
    public Func<Socket, Func<CancellationToken, ValueTask>, bool>? Acceptor
    {
        get => Volatile.Read(ref _acceptor);
        set => Volatile.Write(ref _acceptor, value);
    }

    /// <summary>Listens (on <paramref name="port"/> the first time, 0 picks one) and serves; heals a blackhole.</summary>
    public async Task StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ListenAsync(port, cancellationToken);
            _state = GatewayState.Serving;
            Volatile.Read(ref _open).TrySetResult();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Accepts connections and never answers nor closes them; open connections stall. <see cref="StartAsync"/> heals.</summary>
    public async Task BlackholeAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _open).Task.IsCompleted)
            {
                Volatile.Write(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            await ListenAsync(0, cancellationToken);
            _state = GatewayState.Blackholed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops listening (connections refused) and closes every open connection.</summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _state = GatewayState.Stopped;
            if (_listener is null)
            {
                return;
            }

            _listener.Dispose();
            _listener = null;
            await _session!.CancelAsync();
            await _acceptLoop!;
            await Task.WhenAll(_connections.Keys);

            // After the serving tasks: none can hand a connection over any more.
            CloseHandedOver();
            _session.Dispose();
            _session = null;
            Volatile.Read(ref _open).TrySetResult();
            Volatile.Write(ref _open, Opened());
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ListenAsync(int port, CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            return;
        }

        _standIn ??= await GatewayStandIn.StartAsync(cancellationToken);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                listener.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }

            listener.Bind(new IPEndPoint(IPAddress.Loopback, Port != 0 ? Port : port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _listener = listener;
        _session = new CancellationTokenSource();
        _acceptLoop = AcceptAsync(listener, _session.Token);
    }

    private async Task AcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (true)
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

            client.NoDelay = true;
            var connection = ServeAsync(client, cancellationToken);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        var handedOver = false;
        try
        {
            await WhileBlackholedAsync(cancellationToken);
            if (Acceptor is { } acceptor)
            {
                cancellationToken.ThrowIfCancellationRequested();
                handedOver = HandOver(client, acceptor);
                return;
            }

            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await upstream.ConnectAsync(Upstream ?? _standIn!.EndPoint, cancellationToken);
            await TcpRelay.RunAsync(client, upstream, WhileBlackholedAsync, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped, or the upstream refused: the client sees its connection closed.
        }
        finally
        {
            if (!handedOver)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>Gives the connection to the acceptor, which owns it from then on (a stop only shuts it down); false if refused.</summary>
    private bool HandOver(Socket client, Func<Socket, Func<CancellationToken, ValueTask>, bool> acceptor)
    {
        _handedOver.TryAdd(client, 0);
        if (!acceptor(client, WhileBlackholedAsync))
        {
            _handedOver.TryRemove(client, out _);
            return false;
        }

        // Forget connections the acceptor has closed since, now and then, so a long run does not hold them all.
        if (Interlocked.Increment(ref _handOvers) % 256 == 0)
        {
            foreach (var socket in _handedOver.Keys.Where(IsClosed))
            {
                _handedOver.TryRemove(socket, out _);
            }
        }

        return true;
    }

    private static bool IsClosed(Socket socket)
    {
        try
        {
            return socket.SafeHandle.IsClosed;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    private void CloseHandedOver()
    {
        foreach (var socket in _handedOver.Keys)
        {
            try
            {
                // Both ways: the client sees the close at once, the acceptor sees its reads end and disposes.
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed by the acceptor.
            }

            _handedOver.TryRemove(socket, out _);
        }
    }

    private ValueTask WhileBlackholedAsync(CancellationToken cancellationToken)
    {
        var open = Volatile.Read(ref _open).Task;
        return open.IsCompleted ? ValueTask.CompletedTask : new ValueTask(open.WaitAsync(cancellationToken));
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_standIn is not null)
        {
            await _standIn.DisposeAsync();
        }

        _gate.Dispose();
    }
}
