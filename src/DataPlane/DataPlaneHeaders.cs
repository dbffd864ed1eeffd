namespace ErieCanal.Orleans.DataPlane;

/// <summary>The headers the data plane's components put on what they send each other: one name each, shared.</summary>
public static class DataPlaneHeaders
{
    /// <summary>
    /// On every request a client-side proxy forwards and every tunnel it opens: the cluster keys of the proxies it
    /// passed, comma-separated. A component that finds its own member's key in it is looking at a loop (508).
    /// </summary>
    public const string Hop = "ErieCanal-Hop";

    /// <summary>On a tunnel request to a gateway: the service port the tunnel is for, <c>svc.ns:port</c>.</summary>
    public const string Tunnel = "ErieCanal-Tunnel";

    /// <summary>The HTTP/1.1 <c>Upgrade</c> token of a tunnel: after the 101 the connection carries the TCP bytes as they are.</summary>
    public const string TunnelProtocol = "erie-canal-tunnel";

    /// <summary>The value of <see cref="Hop"/> after a proxy of <paramref name="clusterKey"/> passed it on.</summary>
    public static string AppendHop(string? sent, string clusterKey) => string.IsNullOrWhiteSpace(sent) ? clusterKey : $"{sent}, {clusterKey}";

    /// <summary>
    /// Whether the <see cref="Hop"/> values name <paramref name="clusterKey"/> before their last hop: the request passed
    /// a proxy of that cluster and then another one, so it came back around. A tunnel straight from the member's own
    /// proxy to its own gateway (last hop only) is no loop.
    /// </summary>
    public static bool HopsIncludeBeforeLast(IEnumerable<string?> values, string clusterKey)
    {
        var hops = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return hops.Take(hops.Count - 1).Contains(clusterKey, StringComparer.Ordinal);
    }

    /// <summary>Whether the <see cref="Hop"/> values name <paramref name="clusterKey"/>.</summary>
    public static bool HopsInclude(IEnumerable<string?> values, string clusterKey)
    {
        foreach (var value in values)
        {
            foreach (var hop in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (string.Equals(hop, clusterKey, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
