namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// The routing of a multicluster.x-k8s.io import's service port as the proxy will use it (every exporting
/// cluster's gateway with ready endpoints, unhealthy ones left out: <see cref="McsRouteTable"/>). Without a route,
/// connections on an MCS import's listeners are closed, counted and logged.
/// </summary>
public interface IMcsRoutes
{
    /// <summary>The route of port <paramref name="port"/> of import <paramref name="ns"/>/<paramref name="importName"/>; null when unknown.</summary>
    ServiceRoute? Resolve(string ns, string importName, int port);

    /// <summary>No MCS routing (yet): every lookup is null.</summary>
    public static IMcsRoutes None { get; } = new NoMcsRoutes();

    private sealed class NoMcsRoutes : IMcsRoutes
    {
        public ServiceRoute? Resolve(string ns, string importName, int port) => null;
    }
}
