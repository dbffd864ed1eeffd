using System.Net;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// The cluster's names and service addresses as CoreDNS's kubernetes plugin and kube-proxy derive them from the
/// API's objects: <c>svc.ns.svc.cluster.local</c> (a ClusterIP, or a headless Service's ready endpoints),
/// <c>hostname.subdomain.ns.svc.cluster.local</c> (a pod behind a headless Service, as StatefulSet pods are), an
/// ExternalName's CNAME, and which ready endpoint a connection to a cluster IP and port goes to. Read straight from
/// the store on every question, so an answer is never staler than the objects. Every address is loopback.
/// </summary>
public sealed class ClusterNames(SandboxCluster cluster)
{
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
        foreach (var subset in Subsets(ns, name))
        {
            var endpointPort = (subset["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(p => (p["name"]?.GetValue<string>() ?? "") == portName);
            if (endpointPort is null || JsonTree.GetInt64(endpointPort, "port") is not { } target)
            {
                continue;
            }

            foreach (var address in Loopback(subset["addresses"]))
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
            return new NameAnswer(true, [.. Subsets(ns, name).SelectMany(s => Loopback(s["addresses"])).Distinct()], null);
        }

        return IPAddress.TryParse(clusterIp, out var ip) ? new NameAnswer(true, [ip], null) : NameAnswer.NotFound;
    }

    private NameAnswer LookupPod(string ns, string subdomain, string host)
    {
        if (cluster.Store.Get("services", ns, subdomain) is not { } service || service["spec"]?["clusterIP"]?.GetValue<string>() != "None")
        {
            return NameAnswer.NotFound;
        }

        // CoreDNS answers from the Endpoints' hostnames; a pod's spec.hostname/subdomain is where those come from, and
        // publishNotReadyAddresses lets a StatefulSet's peers find each other before they are Ready.
        var publishNotReady = service["spec"]?["publishNotReadyAddresses"]?.GetValue<bool>() == true;
        foreach (var pod in cluster.Store.List("pods", ns).Items)
        {
            var spec = pod["spec"];
            if (spec?["hostname"]?.GetValue<string>() != host || spec["subdomain"]?.GetValue<string>() != subdomain)
            {
                continue;
            }

            var ready = (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");
            if ((ready || publishNotReady) && IPAddress.TryParse(pod["status"]?["podIP"]?.GetValue<string>(), out var ip) && IPAddress.IsLoopback(ip))
            {
                return new NameAnswer(true, [ip], null);
            }
        }

        return NameAnswer.NotFound;
    }

    private IEnumerable<JsonObject> Subsets(string ns, string name) =>
        (cluster.Store.Get("endpoints", ns, name)?["subsets"] as JsonArray ?? []).OfType<JsonObject>();

    private static IEnumerable<IPAddress> Loopback(JsonNode? addresses) =>
        (addresses as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => IPAddress.TryParse(a["ip"]?.GetValue<string>(), out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Where(IPAddress.IsLoopback);
}
