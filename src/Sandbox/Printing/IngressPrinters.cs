using System.Text.Json.Nodes;
using static ErieCanal.Orleans.Sandbox.Printing.JsonFields;

namespace ErieCanal.Orleans.Sandbox.Printing;

/// <summary>Ports of printIngress and printIngressClass.</summary>
internal static class IngressPrinters
{
    private const int MaxHosts = 3;

    public static readonly KindPrinter Ingress = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Class", "The name of the IngressClass resource that should be used by this Ingress"),
            StandardColumns.Text("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
            StandardColumns.Text("Address", "Address is a list containing ingress points for the load-balancer"),
            StandardColumns.Text("Ports", "Ports of TLS configurations that open"),
            StandardColumns.Age,
        ],
        (ing, now) =>
        [
            BuiltInPrinters.NameOf(ing),
            Str(ing, "spec", "ingressClassName") ?? "<none>",
            FormatHosts(Items(ing, "spec", "rules").ToList()),
            LoadBalancerAddresses(ing),
            Count(ing, "spec", "tls") > 0 ? "80, 443" : "80",
            BuiltInPrinters.AgeOf(ing, now),
        ]);

    public static readonly KindPrinter IngressClass = new(
        [
            StandardColumns.Name,
            StandardColumns.Text("Controller", "Controller that is responsible for handling this class"),
            StandardColumns.Text("Parameters", "A reference to a resource with additional parameters"),
            StandardColumns.Age,
        ],
        (ic, now) =>
        [
            BuiltInPrinters.NameOf(ic),
            StrOr("", ic, "spec", "controller"),
            Parameters(At(ic, "spec", "parameters")),
            BuiltInPrinters.AgeOf(ic, now),
        ]);

    // formatHosts: up to three hosts, "*" when no rule names one, "+ N more..." past three rules.
    private static string FormatHosts(List<JsonNode?> rules)
    {
        var list = new List<string>();
        var more = false;
        foreach (var rule in rules)
        {
            if (list.Count == MaxHosts)
            {
                more = true;
            }

            if (!more && Str(rule, "host") is { Length: > 0 } host)
            {
                list.Add(host);
            }
        }

        if (list.Count == 0)
        {
            return "*";
        }

        var text = string.Join(",", list);
        return more ? $"{text} + {rules.Count - MaxHosts} more..." : text;
    }

    // ingressLoadBalancerStatusStringer: a sorted set of IPs (or hostnames); server-side tables are wide, so untruncated.
    private static string LoadBalancerAddresses(JsonObject ing) => string.Join(",", Items(ing, "status", "loadBalancer", "ingress")
        .Select(i => Str(i, "ip") is { Length: > 0 } ip ? ip : Str(i, "hostname") ?? "")
        .Where(s => s.Length > 0)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal));

    private static string Parameters(JsonNode? parameters)
    {
        if (parameters is not JsonObject)
        {
            return "<none>";
        }

        var kind = StrOr("", parameters, "kind");
        var group = Str(parameters, "apiGroup");
        return $"{kind}{(group is null ? "" : "." + group)}/{StrOr("", parameters, "name")}";
    }
}
