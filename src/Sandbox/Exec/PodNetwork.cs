using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// The network as a pod sees it: cluster DNS (the pod's resolv.conf search path) and kube-proxy (a Service's
/// cluster IP and port lead to one of its ready endpoints), computed from the cluster's own Services and Endpoints.
/// Every address it hands out is loopback, so a simulated container can never send traffic off this machine.
/// </summary>
public sealed class PodNetwork(SandboxCluster cluster, string podNamespace, string? podIp)
{
    private const string ClusterDomain = "cluster.local";

    /// <summary>The member's client-side proxy, when one runs: the container's HTTP requests go through it.</summary>
    public Uri? ClientProxy => cluster.ClientProxy;

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

        // resolv.conf of a pod: search <ns>.svc.cluster.local svc.cluster.local cluster.local, ndots:5.
        IEnumerable<string> candidates = name.EndsWith('.')
            ? [name.TrimEnd('.')]
            : [$"{name}.{podNamespace}.svc.{ClusterDomain}", $"{name}.svc.{ClusterDomain}", $"{name}.{ClusterDomain}", name];
        foreach (var candidate in candidates)
        {
            if (ResolveServiceName(candidate, depth: 0) is { } address)
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
        if (ServiceByClusterIp(address) is { } service)
        {
            return ServiceEndpoint(service, port);
        }

        return IPAddress.IsLoopback(address) ? new IPEndPoint(address, port) : null;
    }

    private IPAddress? ResolveServiceName(string fqdn, int depth)
    {
        var suffix = $".svc.{ClusterDomain}";
        if (depth > 4 || !fqdn.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var labels = fqdn[..^suffix.Length].Split('.');
        if (labels is not [var serviceName, var ns] || cluster.Store.Get("services", ns, serviceName) is not { } service)
        {
            return null;
        }

        var spec = service["spec"];
        if (spec?["type"]?.GetValue<string>() == "ExternalName")
        {
            // A CNAME: only names inside the cluster resolve here.
            var target = spec["externalName"]?.GetValue<string>()?.TrimEnd('.').ToLowerInvariant();
            return target is null ? null : ResolveServiceName(target, depth + 1);
        }

        var clusterIp = spec?["clusterIP"]?.GetValue<string>();
        if (clusterIp is null or "None")
        {
            // Headless: the A records are the ready endpoints' addresses.
            var ready = ReadyAddresses(ns, serviceName).ToList();
            return ready.Count == 0 ? null : IPAddress.Parse(ready[Random.Shared.Next(ready.Count)]);
        }

        return IPAddress.TryParse(clusterIp, out var ip) ? ip : null;
    }

    private JsonObject? ServiceByClusterIp(IPAddress address)
    {
        var text = address.ToString();
        return cluster.Store.List("services", null).Items.FirstOrDefault(s => s["spec"]?["clusterIP"]?.GetValue<string>() == text);
    }

    private IPEndPoint? ServiceEndpoint(JsonObject service, int port)
    {
        var servicePort = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(p => JsonTree.GetInt64(p, "port") == port && (p["protocol"]?.GetValue<string>() ?? "TCP") == "TCP");
        if (servicePort is null)
        {
            return null;
        }

        var portName = servicePort["name"]?.GetValue<string>() ?? "";
        var ns = service["metadata"]?["namespace"]?.GetValue<string>() ?? "";
        var name = service["metadata"]?["name"]?.GetValue<string>() ?? "";
        var candidates = new List<IPEndPoint>();
        foreach (var subset in Subsets(ns, name))
        {
            var endpointPort = (subset["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(p => (p["name"]?.GetValue<string>() ?? "") == portName);
            if (endpointPort is null || JsonTree.GetInt64(endpointPort, "port") is not { } target)
            {
                continue;
            }

            foreach (var address in (subset["addresses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (IPAddress.TryParse(address["ip"]?.GetValue<string>(), out var ip) && IPAddress.IsLoopback(ip))
                {
                    candidates.Add(new IPEndPoint(ip, (int)target));
                }
            }
        }

        // kube-proxy picks at random among the ready endpoints.
        return candidates.Count == 0 ? null : candidates[Random.Shared.Next(candidates.Count)];
    }

    private IEnumerable<string> ReadyAddresses(string ns, string name) =>
        Subsets(ns, name).SelectMany(s => (s["addresses"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(a => a["ip"]?.GetValue<string>())
            .OfType<string>()
            .Where(ip => IPAddress.TryParse(ip, out var parsed) && IPAddress.IsLoopback(parsed));

    private IEnumerable<JsonObject> Subsets(string ns, string name) =>
        (cluster.Store.Get("endpoints", ns, name)?["subsets"] as JsonArray ?? []).OfType<JsonObject>();
}
