using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Logic;

/// <summary>
/// One port of an import while contributions are folded in, oldest first. It remembers which cluster gave it its
/// name, because that export is the one a later, disagreeing export conflicts with.
/// </summary>
internal sealed class MergingPort(ContributedPort first, string clusterKey)
{
    private readonly SortedDictionary<string, ImportEndpoint> _endpoints = new(StringComparer.Ordinal);

    public string? Name { get; private set; } = Named(first.Name);

    public string Protocol { get; } = NormalizeProtocol(first.Protocol);

    public int Port { get; } = first.Port;

    public string? AppProtocol { get; private set; } = first.AppProtocol;

    /// <summary>The cluster whose export named this port, or created it when it is unnamed.</summary>
    public string Owner { get; private set; } = clusterKey;

    /// <summary>Adds one endpoint per cluster; a cluster's second rule on the same port keeps the first path.</summary>
    public void Absorb(ContributedPort port, ExportContribution from)
    {
        if (Name is null && Named(port.Name) is { } name)
        {
            Name = name;
            Owner = from.ClusterKey;
        }

        AppProtocol ??= port.AppProtocol;
        _endpoints.TryAdd(
            from.ClusterKey,
            new ImportEndpoint(from.ClusterKey, from.Gateway.Host, from.Gateway.Ip, from.Gateway.Port, port.Path, from.Healthy));
    }

    public bool Is(string protocol, int port) => Protocol == protocol && Port == port;

    public ImportPort Build() => new(Name, Protocol, Port, AppProtocol, [.. _endpoints.Values]);

    /// <summary>An empty name is no name: it neither matches nor conflicts.</summary>
    public static string? Named(string? name) => string.IsNullOrEmpty(name) ? null : name;

    /// <summary>Kubernetes defaults a port's protocol to TCP.</summary>
    public static string NormalizeProtocol(string? protocol) => string.IsNullOrEmpty(protocol) ? "TCP" : protocol;
}
