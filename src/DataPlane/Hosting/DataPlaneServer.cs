using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.MemberView;

namespace ErieCanal.Orleans.DataPlane.Hosting;

/// <summary>
/// A running gateway or client-side proxy: where it listens and whether its informers have synced. Disposing stops
/// the listener, the informers and, when it was made from kubeconfig text, the Kubernetes client.
/// </summary>
public sealed class DataPlaneServer : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly MemberInformers _informers;
    private readonly CancellationTokenSource _stop;
    private readonly Task _rebuilding;
    private readonly IDisposable? _ownedClient;
    private readonly AdoptedConnections _adopted;
    private int _disposed;

    internal DataPlaneServer(WebApplication app, MemberInformers informers, CancellationTokenSource stop, Task rebuilding, IDisposable? ownedClient)
    {
        _app = app;
        _informers = informers;
        _stop = stop;
        _rebuilding = rebuilding;
        _ownedClient = ownedClient;
        _adopted = app.Services.GetRequiredService<AdoptedConnections>();
        var bound = app.Urls.First(url => !url.Contains(AdoptedEndPoint.Instance.ToString(), StringComparison.Ordinal));
        Address = new Uri(bound.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        EndPoint = new IPEndPoint(IPAddress.Parse(Address.Host.Trim('[', ']')), Address.Port);
    }

    /// <summary>The bound address, e.g. http://127.0.0.1:41234 (a wildcard listen is reported as loopback).</summary>
    public Uri Address { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>True once every informer delivered its first list (also served as GET /readyz).</summary>
    public bool IsReady => _informers.Synced;

    /// <summary>
    /// Serves a connection someone else accepted (a member's gateway address in front of this server) exactly as one
    /// accepted on <see cref="Address"/>, with no relay between. <paramref name="whileBlocked"/> is awaited before
    /// the server reads what arrived and before it sends: how the one who accepted can stall the connection (a
    /// blackhole); closing the socket ends it. False once the server is stopping: the caller closes the socket.
    /// </summary>
    public bool TryAdopt(Socket socket, Func<CancellationToken, ValueTask> whileBlocked) => _adopted.TryAdopt(socket, whileBlocked);

    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken = default)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!IsReady)
        {
            await tick.WaitForNextTickAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using (var grace = new CancellationTokenSource(ShutdownGrace))
        {
            await _app.StopAsync(grace.Token);
        }

        await _stop.CancelAsync();
        await _rebuilding;
        await _informers.DisposeAsync();
        await _app.DisposeAsync();
        _ownedClient?.Dispose();
        _stop.Dispose();
    }
}
