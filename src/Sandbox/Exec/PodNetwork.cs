using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Network;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// The network as a pod sees it: cluster DNS (the pod's resolv.conf search path) and kube-proxy (a Service's
/// cluster IP and port lead to one of its ready endpoints), computed from the cluster's own Services and Endpoints.
/// Every address it hands out is loopback, so a simulated container can never send traffic off this machine.
/// </summary>
public sealed class PodNetwork(SandboxCluster cluster, string podNamespace, string? podIp)
{
    private readonly ClusterNames _names = new(cluster);

    /// <summary>Resolves a host name as the pod's DNS would; null when it does not resolve (NXDOMAIN).</summary>
    public IPAddress? Resolve(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return literal;
        }

        var name = host.ToLowerInvariant();
        if (name is "localhost" or "localhost.")
        {
            // Containers of a pod share its network namespace: localhost is the pod itself.
            return IPAddress.TryParse(podIp, out var own) ? own : IPAddress.Loopback;
        }

        var candidates = Candidates(name);
        foreach (var candidate in candidates)
        {
            if (Follow(candidate) is { } address)
            {
                return address;
            }
        }

        return null;
    }

    /// <summary>
    /// Where a connection to <paramref name="address"/>:<paramref name="port"/> really goes: a Service's cluster IP
    /// is translated to a ready endpoint (pod IP and target port) as kube-proxy does; any other loopback address is
    /// reached directly. Null when the connection is refused: a Service without ready endpoints or that port, or an
    /// address outside loopback.
    /// </summary>
    public IPEndPoint? Route(IPAddress address, int port)
    {
        if (_names.ServiceByClusterIp(address) is { } service)
        {
            return _names.PickEndpoint(service, port);
        }

        return IPAddress.IsLoopback(address) ? new IPEndPoint(address, port) : null;
    }

    /// <summary>
    /// As <see cref="Resolve"/>, and a name in a stub zone of the cluster DNS (the CoreDNS ConfigMap's forwards, e.g.
    /// <c>clusterset.local</c> to the member's clusterset DNS) is asked of that zone's server, as the pod's resolver
    /// would through the cluster DNS. Upstreams are loopback only.
    /// </summary>
    public async Task<IPAddress?> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (Resolve(host) is { } local)
        {
            return local;
        }

        var name = host.ToLowerInvariant();
        var candidates = Candidates(name);
        var zones = new CoreDnsConfigMap(cluster.Store).StubZones();
        foreach (var candidate in candidates)
        {
            if (!DomainName.TryParse(candidate, out var parsed) || parsed is not { } domain || zones.FirstOrDefault(z => domain.IsEqualOrSubDomainOf(z.Zone)) is not { } zone)
            {
                continue;
            }

            foreach (var upstream in zone.Upstreams.Where(u => IPAddress.IsLoopback(u.Address)))
            {
                var client = new DnsClient([upstream.Address], [new UdpClientTransport(upstream.Port), new TcpClientTransport(upstream.Port)], false, 2000);
                try
                {
                    var answer = await client.ResolveAsync(domain, RecordType.A, token: cancellationToken);
                    if (answer?.AnswerRecords.OfType<ARecord>().FirstOrDefault() is { } record)
                    {
                        return record.Address;
                    }
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or TimeoutException)
                {
                }
            }
        }

        return null;
    }

    // resolv.conf of a pod: search <ns>.svc.cluster.local svc.cluster.local cluster.local, ndots:5.
    private IEnumerable<string> Candidates(string name) => name.EndsWith('.')
        ? [name.TrimEnd('.')]
        : [$"{name}.{podNamespace}.svc.{ClusterNames.Domain}", $"{name}.svc.{ClusterNames.Domain}", $"{name}.{ClusterNames.Domain}", name];

    // Follows ExternalName aliases a few steps, as a resolver follows CNAMEs; only names inside the cluster resolve.
    private IPAddress? Follow(string fqdn)
    {
        for (var depth = 0; depth <= 4; depth++)
        {
            var answer = _names.Lookup(fqdn);
            if (answer.Alias is { } alias)
            {
                fqdn = alias;
                continue;
            }

            return answer.Addresses.Count == 0 ? null : answer.Addresses[Random.Shared.Next(answer.Addresses.Count)];
        }

        return null;
    }
}
