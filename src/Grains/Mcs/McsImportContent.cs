using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// The objects a member holds for a merged MCS import (plan §4.2), pure: the ServiceImport document, the derived
/// Service of a ClusterSetIP import, and each source cluster's EndpointSlices.
/// </summary>
public static class McsImportContent
{
    public static McsServiceImportDocument Document(McsMergedImport import)
    {
        var annotations = import.Annotations.ToDictionary().ToDictionary(StringComparer.Ordinal);
        if (import.Type == McsNames.ImportTypes.ClusterSetIp)
            annotations[McsNames.DerivedServiceAnnotation] = McsNames.DerivedName(import.Namespace, import.Name);

        // Ours last, so an exported label of the same key cannot hide who manages the import.
        var labels = import.Labels.ToDictionary().ToDictionary(StringComparer.Ordinal);
        labels[McsNames.AppManagedByLabel] = McsNames.AppManagedBy;
        return new McsServiceImportDocument(
            import.Namespace,
            import.Name,
            import.Type,
            [.. import.Ports.Select(p => new McsPort(p.Name, p.Protocol, p.Port, p.AppProtocol))],
            import.SessionAffinity,
            import.ClientIpTimeoutSeconds,
            import.InternalTrafficPolicy,
            import.TrafficDistribution,
            import.IpFamilies,
            McsMap.From(labels),
            McsMap.From(annotations),
            import.Clusters);
    }

    /// <summary>
    /// The derived Service of a ClusterSetIP import; none for Headless. No internalTrafficPolicy: its endpoints are
    /// the member's proxies, and Local would black-hole nodes without one.
    /// </summary>
    public static McsDerivedService? DerivedService(McsMergedImport import) =>
        import.Type != McsNames.ImportTypes.ClusterSetIp ? null : new McsDerivedService(
            import.Namespace,
            McsNames.DerivedName(import.Namespace, import.Name),
            import.Name,
            [.. import.Ports.Select(p => new McsPort(p.Name, p.Protocol, p.Port, p.AppProtocol))],
            import.SessionAffinity,
            import.ClientIpTimeoutSeconds,
            import.TrafficDistribution,
            McsMap.From(new Dictionary<string, string>
            {
                [McsNames.ServiceNameLabel] = import.Name,
                [McsNames.DerivedForLabel] = import.Name,
                [McsNames.AppManagedByLabel] = McsNames.AppManagedBy,
            }));

    /// <summary>
    /// One source cluster's MCS slices: its endpoints grouped by address type and port set, in a stable order (so an
    /// unchanged source hashes the same whatever order its slices were observed in), at most
    /// <see cref="McsNames.MaxEndpointsPerSlice"/> a slice. An unhealthy source's endpoints are not ready (still serving).
    /// </summary>
    public static ImmutableArray<McsSliceIntent> Slices(McsMergedImport import, McsSourceSlices source, bool healthy)
    {
        var labels = McsMap.From(new Dictionary<string, string>
        {
            [McsNames.ServiceNameLabel] = import.Name,
            [McsNames.SourceClusterLabel] = source.ClusterId,
            [McsNames.ManagedByLabel] = McsNames.ManagedBy,
        });
        // Where the member's proxy reaches these endpoints: the exporter's gateway (its resolved address when known).
        var gateway = source.Gateway is { Port: > 0 } g ? $"{(string.IsNullOrEmpty(g.Ip) ? g.Host : g.Ip)}:{g.Port}" : null;
        var groups = (source.Slices.IsDefault ? [] : source.Slices)
            .Select(s => (Slice: s, Ports: SortedPorts(s)))
            .GroupBy(s => (s.Slice.AddressType, Key: string.Join(",", s.Ports.Select(p => $"{p.Name}/{p.Protocol}/{p.Port}/{p.AppProtocol}"))))
            .OrderBy(g => g.Key.AddressType, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Key, StringComparer.Ordinal);

        var intents = ImmutableArray.CreateBuilder<McsSliceIntent>();
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var endpoints = group
                .SelectMany(s => s.Slice.Endpoints.IsDefault ? [] : s.Slice.Endpoints)
                .Select(e => healthy ? e : e with { Ready = false })
                .OrderBy(e => e.Addresses.IsDefaultOrEmpty ? "" : e.Addresses[0], StringComparer.Ordinal)
                .ThenBy(e => e.Hostname ?? "", StringComparer.Ordinal)
                .ToList();
            foreach (var chunk in endpoints.Chunk(McsNames.MaxEndpointsPerSlice))
            {
                var addressType = group.Key.AddressType;
                var index = indexes.GetValueOrDefault(addressType);
                indexes[addressType] = index + 1;
                var content = new McsEndpointSlice(addressType, group.First().Ports, [.. chunk]);
                var name = SliceName(import.Namespace, import.Name, source.ClusterId, addressType, index);
                intents.Add(new McsSliceIntent(name, source.ClusterId, labels, content, McsContentHash.Of(new { name, labels, content, gateway }), gateway));
            }
        }

        return intents.ToImmutable();
    }

    /// <summary>
    /// <c>&lt;name[:30]&gt;-&lt;clusterid[:20]&gt;-&lt;8 of base32hex(sha256(ns/name/clusterid/addressType/index))&gt;</c>:
    /// a DNS-1123 subdomain of at most 60 characters, stable for the same slot.
    /// </summary>
    public static string SliceName(string ns, string name, string clusterId, string addressType, int index) =>
        $"{Trim(name, 30)}-{Trim(clusterId, 20)}-{McsNames.ShortHash($"{ns}/{name}/{clusterId}/{addressType}/{index}", 8)}";

    private static ImmutableArray<McsSlicePort> SortedPorts(McsEndpointSlice slice) =>
        [.. (slice.Ports.IsDefault ? [] : slice.Ports).OrderBy(p => p.Name ?? "", StringComparer.Ordinal).ThenBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.Port)];

    // A cut name must still end in an alphanumeric to stay a valid DNS label.
    private static string Trim(string text, int length) =>
        (text.Length <= length ? text : text[..length]).ToLowerInvariant().TrimEnd('-', '.');
}
