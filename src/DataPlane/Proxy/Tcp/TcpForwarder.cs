using System.Net.Sockets;
using ErieCanal.Orleans.DataPlane.Proxy.Listeners;
using ErieCanal.Orleans.DataPlane.Telemetry;
using ErieCanal.Orleans.DataPlane.Tunnel;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.DataPlane.Proxy.Tcp;

/// <summary>
/// Carries one TCP connection of a listener to where its import routes: a cluster picked as for HTTP (Active before
/// Standby, by weight, ejected endpoints passed over), through a tunnel to its gateway, or straight to a pod for
/// this member's own entry. A refused, failed or timed-out open goes to the next cluster (failover at connect time;
/// once the bytes flow there is no going back), failures count for ejection as HTTP attempts do.
/// </summary>
internal sealed class TcpForwarder(
    Func<ProxyRouteTable> table,
    IMcsRoutes mcsRoutes,
    TunnelClient tunnels,
    OutlierDetector outliers,
    DataPlaneMetrics metrics,
    ProxyOptions options,
    ILogger logger)
{
    // A connection tries at most this many endpoints: the first and two failovers.
    private const int MaxAttempts = 3;

    public async Task ServeAsync(Socket client, ListenerRoute listener, CancellationToken cancellationToken)
    {
        using var owned = client;
        client.NoDelay = true;
        var route = listener.Kind == ProxyListeners.FlomeshKind
            ? table().Resolve(listener.Namespace, listener.ImportName, listener.ServicePort)
            : mcsRoutes.Resolve(listener.Namespace, listener.ImportName, listener.ServicePort);
        if (route is null)
        {
            metrics.ConnectionFailure("", listener.Service, "no_route");
            if (listener.Kind == ProxyListeners.McsKind)
            {
                logger.NoMcsRoute(listener.Service);
            }
            else
            {
                logger.NoTcpRoute(listener.Service);
            }

            return;
        }

        var tried = new List<ProxyAddress>(MaxAttempts);
        for (var address = route.Pick(null, ProxyTier.Active, ProxyTier.Standby, outliers); address is not null; address = Next(route, tried))
        {
            tried.Add(address);

            // An attempt with somewhere else to go is cut at the per-try timeout, the last waits the connect timeout.
            var timeout = options.TryTimeout != Timeout.InfiniteTimeSpan && tried.Count < MaxAttempts && route.HasOther(address, ProxyTier.Active, ProxyTier.Standby)
                ? options.TryTimeout
                : options.ConnectTimeout;
            metrics.Connection(address.ClusterKey, route.Service);
            UpstreamConnection upstream;
            try
            {
                upstream = address.Local
                    ? await TunnelClient.ConnectAsync(address, timeout, cancellationToken)
                    : await tunnels.OpenTunnelAsync(address, route.Service, options.ClusterKey, timeout, cancellationToken);
            }
            catch (TunnelException ex)
            {
                // A gateway's 4xx is a refusal of this service (stale routing), not a sick cluster.
                metrics.ConnectionFailure(address.ClusterKey, route.Service, ex.Status is < 500 ? "rejected" : ex.Failure.Label());
                if (ex.Status is null or >= 500)
                {
                    outliers.Failed(route.Service, address);
                }

                logger.TcpAttemptFailed(route.Service, address.Key, ex.Message);
                continue;
            }

            outliers.Succeeded(route.Service, address);
            using (upstream)
            {
                var cluster = address.ClusterKey;
                await Splice.RunAsync(
                    SpliceEnd.Of(client),
                    upstream.End,
                    bytes => metrics.ConnectionBytes(cluster, route.Service, sent: true, bytes),
                    bytes => metrics.ConnectionBytes(cluster, route.Service, sent: false, bytes),
                    cancellationToken);
            }

            return;
        }

        if (tried.Count == 0)
        {
            metrics.ConnectionFailure("", route.Service, "no_endpoint");
        }

        logger.TcpFailed(route.Service, tried.Count);
    }

    // Another cluster first (a refused gateway usually means the whole cluster), best tier first; never twice the same.
    private ProxyAddress? Next(ServiceRoute route, List<ProxyAddress> tried)
    {
        if (tried.Count >= MaxAttempts)
        {
            return null;
        }

        var last = tried[^1];
        foreach (var candidate in new[] { route.PickElsewhere(last, ProxyTier.Active, ProxyTier.Standby, outliers), route.Pick(last, ProxyTier.Active, ProxyTier.Standby, outliers) })
        {
            if (candidate is not null && !tried.Exists(t => t.Key == candidate.Key))
            {
                return candidate;
            }
        }

        return null;
    }
}
