using System.Net;
using ErieCanal.Orleans.DataPlane.MemberView;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// A running member DNS: where it answers and whether it has synced. Disposing stops the server, the informers and,
/// when it was made from kubeconfig text, the Kubernetes client.
/// </summary>
public sealed class MemberDnsServer : IAsyncDisposable
{
    private readonly ClustersetDnsServer _dns;
    private readonly MemberInformers _informers;
    private readonly CancellationTokenSource _stop;
    private readonly Task _rebuilding;
    private readonly IDisposable? _ownedClient;
    private int _disposed;

    internal MemberDnsServer(ClustersetDnsServer dns, MemberInformers informers, CancellationTokenSource stop, Task rebuilding, IDisposable? ownedClient)
    {
        _dns = dns;
        _informers = informers;
        _stop = stop;
        _rebuilding = rebuilding;
        _ownedClient = ownedClient;
    }

    /// <summary>UDP and TCP; a wildcard listen address is reported as loopback, which is where a local client asks.</summary>
    public IPEndPoint EndPoint => _dns.EndPoint.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, _dns.EndPoint.Port)
        : _dns.EndPoint.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, _dns.EndPoint.Port)
        : _dns.EndPoint;

    /// <summary>Both informers delivered their first list and the records were built from them (served as GET /readyz).</summary>
    public bool IsReady => _informers.Synced && _dns.IsReady;

    /// <summary>The records it answers from now (null before it is ready).</summary>
    public ClustersetRecords? Records => _dns.Records;

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

        _dns.Dispose();
        await _stop.CancelAsync();
        await _rebuilding;
        await _informers.DisposeAsync();
        _ownedClient?.Dispose();
        _stop.Dispose();
    }
}
