namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>The MCS routing as last rebuilt: each lookup reads the current <see cref="McsRouteTable"/>.</summary>
internal sealed class LiveMcsRoutes(Func<McsRouteTable> current) : IMcsRoutes
{
    public ServiceRoute? Resolve(string ns, string importName, int port) => current().Resolve(ns, importName, port);
}
