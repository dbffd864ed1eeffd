using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// The cluster's names and service addresses as CoreDNS's kubernetes plugin and kube-proxy derive them from the
/// API's objects: <c>svc.ns.svc.cluster.local</c> (a ClusterIP, or a headless Service's ready endpoints),
/// <c>hostname.subdomain.ns.svc.cluster.local</c> (a pod behind a headless Service, as StatefulSet pods are), an
/// ExternalName's CNAME, and which ready endpoint a connection to a cluster IP and port goes to. Endpoints come from
/// the Service's EndpointSlices (label kubernetes.io/service-name, whoever manages them), as CoreDNS and kube-proxy
/// read them, so a selectorless Service served by another controller's slices works. Read straight from the store
/// on every question, so an answer is never staler than the objects. Every address is loopback.
/// </summary>
public sealed class ClusterNames(SandboxCluster cluster)
{
    private const string Slices = "endpointslices.discovery.k8s.io";

    private const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The cluster's DNS domain, as kubelet's <c>--cluster-domain</c> default.</summary>
    public const string Domain = "cluster.local";

    private const string ServiceSuffix = ".svc." + Domain;

    /// <summary>What a fully qualified name resolves to; <see cref="NameAnswer.NotFound"/> when it does not exist.</summary>
    public NameAnswer Lookup(string fqdn)
    {
        var name = fqdn.TrimEnd('.').ToLowerInvariant();
        if (!name.EndsWith(ServiceSuffix, StringComparison.Ordinal))
        {
            return NameAnswer.NotFound;
        }

        var labels = name[..^ServiceSuffix.Length].Split('.');
        return labels switch
        {
            [var service, var ns] => LookupService(ns, service),
            [var host, var subdomain, var ns] => LookupPod(ns, subdomain, host),
            _ => NameAnswer.NotFound,
        };
    }

    /// <summary>The Service whose cluster IP is <paramref name="address"/>, if any.</summary>
    public JsonObject? ServiceByClusterIp(IPAddress address)
    {
        var text = address.ToString();
        return cluster.Store.List("services", null).Items.FirstOrDefault(s => s["spec"]?["clusterIP"]?.GetValue<string>() == text);
    }

    /// <summary>
    /// The ready endpoint a TCP connection to <paramref name="service"/>'s <paramref name="port"/> goes to, picked at
    /// random as kube-proxy does; null (refused) when the Service has no such port or no ready endpoint.
    /// </summary>
    public IPEndPoint? PickEndpoint(JsonObject service, int port)
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
        foreach (var slice in SlicesOf(ns, name))
        {
            var slicePort = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(p => (JsonTree.GetString(p, "name") ?? "") == portName && (JsonTree.GetString(p, "protocol") ?? "TCP") == "TCP");
            if (slicePort is null || JsonTree.GetInt64(slicePort, "port") is not { } target)
            {
                continue;
            }

            foreach (var address in ReadyEndpoints(slice).SelectMany(Addresses))
            {
                candidates.Add(new IPEndPoint(address, (int)target));
            }
        }

        return candidates.Count == 0 ? null : candidates[Random.Shared.Next(candidates.Count)];
    }

    private NameAnswer LookupService(string ns, string name)
    {
        if (cluster.Store.Get("services", ns, name) is not { } service)
        {
            return NameAnswer.NotFound;
        }

        var spec = service["spec"];
        if (spec?["type"]?.GetValue<string>() == "ExternalName")
        {
            var target = spec["externalName"]?.GetValue<string>()?.TrimEnd('.').ToLowerInvariant();
            return target is null ? NameAnswer.NotFound : new NameAnswer(true, [], target);
        }

        var clusterIp = spec?["clusterIP"]?.GetValue<string>();
        if (clusterIp is null or "None")
        {
            // Headless: one A record per ready endpoint (the name exists even with none).
            return new NameAnswer(true, [.. SlicesOf(ns, name).SelectMany(ReadyEndpoints).SelectMany(Addresses).Distinct()], null);
        }

        return IPAddress.TryParse(clusterIp, out var ip) ? new NameAnswer(true, [ip], null) : NameAnswer.NotFound;
    }

    private NameAnswer LookupPod(string ns, string subdomain, string host)
    {
        if (cluster.Store.Get("services", ns, subdomain) is not { } service || service["spec"]?["clusterIP"]?.GetValue<string>() != "None")
        {
            return NameAnswer.NotFound;
        }

        // CoreDNS answers from the endpoints' hostnames (the endpointslice controller copies a pod's spec.hostname when
        // its spec.subdomain names the Service); publishNotReadyAddresses already made them ready for StatefulSet peers.
        var addresses = SlicesOf(ns, subdomain).SelectMany(ReadyEndpoints)
            .Where(e => JsonTree.GetString(e, "hostname") == host)
            .SelectMany(Addresses)
            .Distinct()
            .ToList();
        return addresses.Count == 0 ? NameAnswer.NotFound : new NameAnswer(true, addresses, null);
    }

    /// <summary>The Service's IPv4 EndpointSlices, whoever manages them.</summary>
    private IEnumerable<JsonObject> SlicesOf(string ns, string service) =>
        cluster.Store.List(Slices, ns).Items.Where(s =>
            JsonTree.GetString(s, "metadata", "labels", ServiceNameLabel) == service && JsonTree.GetString(s, "addressType") == "IPv4");

    // An unset ready condition means ready (discovery.k8s.io/v1 EndpointConditions).
    private static IEnumerable<JsonObject> ReadyEndpoints(JsonObject slice) =>
        (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(e => e["conditions"]?["ready"] is not JsonValue v || !v.TryGetValue<bool>(out var ready) || ready);

    private static IEnumerable<IPAddress> Addresses(JsonObject endpoint) =>
        (endpoint["addresses"] as JsonArray ?? [])
            .Select(a => IPAddress.TryParse(JsonTree.GetString(a), out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Where(IPAddress.IsLoopback);
}
