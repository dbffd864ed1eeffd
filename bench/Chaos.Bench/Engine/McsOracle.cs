using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// The multicluster.x-k8s.io ServiceImports every member must hold, written from KEP-1645 rather than from the
/// system's merger: a service with at least one valid MCS export (its Service exists and is not ExternalName) is
/// imported in every member, the exporters included; <c>status.clusters</c> lists every valid exporter's cluster id
/// (the member's name: the ClusterProperty the system creates from the Cluster's name); the type is the oldest valid
/// export's (creationTimestamp, then cluster id): Headless for a headless Service, else ClusterSetIP.
/// </summary>
public static class McsOracle
{
    /// <summary>Per member, the canonical text (<see cref="Text"/>) of each MCS import it must hold, by name.</summary>
    public static Dictionary<string, Dictionary<string, string>> Expect(IReadOnlyList<MemberObjects> members)
    {
        var expected = members.ToDictionary(m => m.Member, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var name in members.SelectMany(m => m.McsExports.Keys).Distinct(StringComparer.Ordinal))
        {
            var valid = members
                .Where(m => m.McsExports.ContainsKey(name) && m.Services.TryGetValue(name, out var service) && service.Type != "ExternalName")
                .OrderBy(m => m.McsExports[name]).ThenBy(m => m.Member, StringComparer.Ordinal)
                .ToList();
            if (valid.Count == 0)
            {
                continue;
            }

            var text = Text(valid[0].Services[name].Headless ? "Headless" : "ClusterSetIP", valid.Select(m => m.Member));
            foreach (var member in members)
            {
                expected[member.Member][name] = text;
            }
        }

        return expected;
    }

    /// <summary>The same text from an MCS ServiceImport as a member holds it.</summary>
    public static string Of(JsonObject import) =>
        Text((string?)import["spec"]?["type"] ?? "", (import["status"]?["clusters"] as JsonArray ?? []).OfType<JsonObject>().Select(c => (string?)c["cluster"] ?? ""));

    private static string Text(string type, IEnumerable<string> clusters) => $"{type} clusters={string.Join(",", clusters.Order(StringComparer.Ordinal))}";
}
