using System.Text.Json.Nodes;
using static ErieCanal.Orleans.Sandbox.Printing.JsonFields;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Ports of printService, printEndpoints and printEndpointSlice.</summary>
internal static class NetworkPrinters
{
    private const int MaxListed = 3;

    public static readonly KindPrinter Service = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
            StandardColumns.Text("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
            StandardColumns.Text("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
            StandardColumns.Text("Port(s)", "The list of ports that are exposed by this service."),
            StandardColumns.Age,
            StandardColumns.Text("Selector", "Route service traffic to pods with label keys and values matching this selector.", 1),
        ],
        (svc, now) =>
        {
            var spec = svc["spec"];
            var ports = string.Join(",", Items(spec, "ports").Select(p =>
            {
                var protocol = StrOr("TCP", p, "protocol");
                return Long(p, "nodePort") is > 0 and var nodePort
                    ? $"{Long(p, "port")}:{nodePort}/{protocol}"
                    : $"{Long(p, "port")}/{protocol}";
            }));
            return
            [
                StrOr("", svc, "metadata", "name"),
                StrOr("ClusterIP", spec, "type"),
                Items(spec, "clusterIPs").Select(ip => Str(ip)).FirstOrDefault() ?? StrOr("<none>", spec, "clusterIP"),
                ExternalIp(svc),
                ports.Length == 0 ? "<none>" : ports,
                HumanDuration.Since(Str(svc, "metadata", "creationTimestamp"), now),
                LabelFormatting.FormatLabels(At(spec, "selector")),
            ];
        });

    public static readonly KindPrinter Endpoints = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Endpoints", "The set of all endpoints is the union of all subsets."),
            StandardColumns.Age,
        ],
        (ep, now) => [StrOr("", ep, "metadata", "name"), FormatEndpoints(ep), HumanDuration.Since(Str(ep, "metadata", "creationTimestamp"), now)]);

    public static readonly KindPrinter EndpointSlice = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
            StandardColumns.Text("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
            StandardColumns.Text("Endpoints", "endpoints is a list of unique endpoints in this slice."),
            StandardColumns.Age,
        ],
        (slice, now) =>
        [
            StrOr("", slice, "metadata", "name"),
            StrOr("", slice, "addressType"),
            WithMore(Items(slice, "ports").Select(p => Long(p, "port")?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Str(p, "name") ?? "*").ToList()),
            WithMore(Items(slice, "endpoints").SelectMany(e => Items(e, "addresses")).Select(a => Str(a) ?? "").ToList()),
            HumanDuration.Since(Str(slice, "metadata", "creationTimestamp"), now),
        ]);

    private static string ExternalIp(JsonObject svc)
    {
        var spec = svc["spec"];
        var external = Items(spec, "externalIPs").Select(ip => Str(ip) ?? "").ToList();
        switch (StrOr("ClusterIP", spec, "type"))
        {
            case "ClusterIP" or "NodePort":
                return external.Count > 0 ? string.Join(",", external) : "<none>";
            case "LoadBalancer":
                // Tables are generated "wide" server-side, so ingress addresses are not truncated.
                var ingress = Items(svc, "status", "loadBalancer", "ingress")
                    .Select(i => StrOr(Str(i, "hostname") ?? "", i, "ip"))
                    .Where(s => s.Length > 0);
                var all = ingress.Concat(external).ToList();
                return all.Count > 0 ? string.Join(",", all) : "<pending>";
            case "ExternalName":
                return StrOr("", spec, "externalName");
            default:
                return "<unknown>";
        }
    }

    // formatEndpoints: host:port per address and port, capped at three with a "+ N more..." suffix.
    private static string FormatEndpoints(JsonObject ep)
    {
        var subsets = Items(ep, "subsets").ToList();
        if (subsets.Count == 0)
            return "<none>";
        var list = new List<string>();
        var count = 0;
        foreach (var ss in subsets)
        {
            var addresses = Items(ss, "addresses").Select(a => StrOr("", a, "ip")).ToList();
            var ports = Items(ss, "ports").Select(p => Long(p, "port")).ToList();
            if (ports.Count == 0)
            {
                count += addresses.Count;
                list.AddRange(addresses.Take(MaxListed - list.Count));
                continue;
            }
            foreach (var port in ports)
            {
                count += addresses.Count;
                list.AddRange(addresses.Take(MaxListed - list.Count).Select(ip => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{port}" : $"{ip}:{port}"));
            }
        }
        var text = string.Join(",", list);
        return count > MaxListed ? $"{text} + {count - MaxListed} more..." : text;
    }

    // listWithMoreString from the EndpointSlice printer.
    private static string WithMore(List<string> items) => items.Count switch
    {
        0 => "<unset>",
        > MaxListed => $"{string.Join(",", items.Take(MaxListed))} + {items.Count - MaxListed} more...",
        _ => string.Join(",", items),
    };
}
