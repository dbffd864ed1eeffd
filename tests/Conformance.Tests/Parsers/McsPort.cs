using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Conformance.Tests.Parsers;

/// <summary>A ServiceImport port as the suite compares it (v1beta1.ServicePort: name, protocol, port, appProtocol).</summary>
public sealed record McsPort(string? Name, string? Protocol, int Port, string? AppProtocol)
{
    public static McsPort From(JsonNode port) => new(
        port["name"]?.GetValue<string>(),
        port["protocol"]?.GetValue<string>(),
        port["port"]?.GetValue<int>() ?? 0,
        port["appProtocol"]?.GetValue<string>());

    /// <summary>toMCSPorts: a Service's or an import's ports, sorted as sortMCSPorts sorts them.</summary>
    public static IReadOnlyList<McsPort> FromArray(JsonNode? ports) => Sort((ports?.AsArray() ?? []).Select(p => From(p!)));

    /// <summary>sortMCSPorts: by name, case-insensitively (a stable sort, as slices.SortFunc is not: names are unique in practice).</summary>
    public static IReadOnlyList<McsPort> Sort(IEnumerable<McsPort> ports) =>
        ports.OrderBy(p => (p.Name ?? "").ToLowerInvariant(), StringComparer.Ordinal).ToList();

    public override string ToString() => $"{{{Name} {Protocol} {Port}{(AppProtocol is null ? "" : " " + AppProtocol)}}}";
}
