namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>One routing endpoint (a cluster) of a service port: its state, weight and the addresses that serve it.</summary>
public sealed record ProxyTarget(string ClusterKey, ProxyTier Tier, int Weight, IReadOnlyList<ProxyAddress> Addresses);
