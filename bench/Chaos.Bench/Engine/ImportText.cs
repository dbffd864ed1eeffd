using System.Globalization;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// One canonical text for an import's spec (type, session affinity, ports and their endpoints) and one for its
/// routing (lbType; per port, each endpoint's cluster, path, state and weight), order-independent, so the oracle's
/// expectation and what a member holds compare as strings and a mismatch prints readably.
/// </summary>
public static class ImportText
{
    public static string Spec(string type, string sessionAffinity, IEnumerable<(string? Name, string Protocol, int Port, IEnumerable<(string ClusterKey, string? Host, int Port, string? Path)> Endpoints)> ports) =>
        $"{type} affinity={sessionAffinity} " + string.Join(" | ", ports
            .Select(p => $"{p.Name}/{p.Protocol}/{p.Port}: " + string.Join(", ", p.Endpoints
                .Select(e => $"{e.ClusterKey}@{e.Host}:{e.Port}{e.Path}")
                .Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal));

    /// <summary>An import with no status.routing (its routing is what the spec implies).</summary>
    public const string NoRouting = "(no routing)";

    public static string Routing((string LbType, IEnumerable<(string? Name, int Port, IEnumerable<(string ClusterKey, string Path, int Weight, string State)> Endpoints)> Ports) routing) =>
        $"{routing.LbType} " + string.Join(" | ", routing.Ports
            .Select(p => $"{p.Name}/{p.Port}: " + string.Join(", ", p.Endpoints
                .Select(e => $"{e.ClusterKey}{e.Path} {e.State} w{e.Weight.ToString(CultureInfo.InvariantCulture)}")
                .Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal));

    /// <summary>The same two texts from a ServiceImport as a member holds it.</summary>
    public static ExpectedImport Of(JsonObject import)
    {
        var spec = import["spec"] as JsonObject ?? [];
        var specText = Spec(
            (string?)spec["type"] ?? "",
            (string?)spec["sessionAffinity"] ?? "None",
            (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p => (
                (string?)p["name"],
                (string?)p["protocol"] ?? "TCP",
                (int?)p["port"] ?? 0,
                (p["endpoints"] as JsonArray ?? []).OfType<JsonObject>().Select(e => (
                    (string?)e["clusterKey"] ?? "",
                    (string?)e["target"]?["host"],
                    (int?)e["target"]?["port"] ?? 0,
                    (string?)e["target"]?["path"])))));
        var routing = import["status"]?["routing"] as JsonObject;
        var routingText = routing is null
            ? NoRouting
            : Routing((
                (string?)routing["lbType"] ?? "",
                (routing["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p => (
                    (string?)p["name"],
                    (int?)p["port"] ?? 0,
                    (p["endpoints"] as JsonArray ?? []).OfType<JsonObject>().Select(e => (
                        (string?)e["clusterKey"] ?? "",
                        (string?)e["path"] ?? "",
                        (int?)e["weight"] ?? 0,
                        (string?)e["state"] ?? ""))))));
        return new ExpectedImport(specText, routingText);
    }
}
