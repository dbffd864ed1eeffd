using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// Merges the MCS exports of one namespace/name into the ServiceImport every member holds, by KEP-1645's rules
/// (plan §2.2): exports ordered by creation time then cluster id; the oldest decides type, session affinity,
/// traffic policies and exported labels/annotations; ports are the union (a clash keeps the older port); ip families
/// the intersection. Unlike the flomesh merger no export is left out: every one keeps contributing its endpoints,
/// and every one is told the same Conflict verdict.
/// </summary>
public static class McsImportMerger
{
    // Which reason the Conflict condition shows when the exports disagree in several ways (Cilium's order).
    private static readonly string[] ReasonOrder =
    [
        McsNames.Reasons.PortConflict, McsNames.Reasons.IpFamilyConflict, McsNames.Reasons.TypeConflict,
        McsNames.Reasons.SessionAffinityConflict, McsNames.Reasons.SessionAffinityConfigConflict,
        McsNames.Reasons.AnnotationsConflict, McsNames.Reasons.LabelsConflict,
        McsNames.Reasons.InternalTrafficPolicyConflict, McsNames.Reasons.TrafficDistributionConflict,
    ];

    public static McsMergeResult Merge(string ns, string name, long version, IEnumerable<McsContribution> contributions)
    {
        var ordered = Order(contributions);
        if (ordered.Count == 0)
            return new McsMergeResult(null, McsExportVerdict.NoConflicts);

        var oldest = ordered[0];
        var conflicts = new List<McsConflict>();
        var ports = MergePorts(ordered, conflicts);
        var families = IntersectIpFamilies(ordered, conflicts);
        Compare(ordered, conflicts, McsNames.Reasons.TypeConflict, "type", c => TypeOf(c.Service), v => $"\"{v}\"");
        Compare(ordered, conflicts, McsNames.Reasons.SessionAffinityConflict, "sessionAffinity", c => Affinity(c.Service), v => $"\"{v}\"");
        Compare(ordered, conflicts, McsNames.Reasons.SessionAffinityConfigConflict, "sessionAffinityConfig",
            c => c.Service.ClientIpTimeoutSeconds, v => v is null ? "no sessionAffinityConfig" : $"\"clientIP.timeoutSeconds: {v}\"");
        Compare(ordered, conflicts, McsNames.Reasons.AnnotationsConflict, "exported annotations", c => c.Annotations, Describe);
        Compare(ordered, conflicts, McsNames.Reasons.LabelsConflict, "exported labels", c => c.Labels, Describe);

        // Kubernetes defaults internalTrafficPolicy to Cluster, so unset and Cluster agree.
        Compare(ordered, conflicts, McsNames.Reasons.InternalTrafficPolicyConflict, "internalTrafficPolicy",
            c => c.Service.InternalTrafficPolicy ?? "Cluster", v => $"\"{v}\"");
        Compare(ordered, conflicts, McsNames.Reasons.TrafficDistributionConflict, "trafficDistribution",
            c => c.Service.TrafficDistribution, v => v is null ? "no trafficDistribution" : $"\"{v}\"");

        var service = oldest.Service;
        var import = new McsMergedImport(
            ns,
            name,
            version,
            TypeOf(service),
            ports,
            Affinity(service),
            service.ClientIpTimeoutSeconds,
            service.InternalTrafficPolicy,
            service.TrafficDistribution,
            families,
            oldest.Labels ?? McsMap.Empty,
            oldest.Annotations ?? McsMap.Empty,
            [.. ordered.Select(c => c.ClusterId).Distinct(StringComparer.Ordinal)],
            [.. ordered.Select(c => new McsSourceSlices(c.ClusterId, c.ClusterKey, FilterSlices(c, ports), c.Gateway))]);
        return new McsMergeResult(import, Verdict(conflicts));
    }

    /// <summary>Oldest first; equal creation times (seconds granularity) by cluster id, then by member.</summary>
    public static IReadOnlyList<McsContribution> Order(IEnumerable<McsContribution> contributions)
    {
        var ordered = contributions
            .OrderBy(c => c.CreatedAt)
            .ThenBy(c => c.ClusterId, StringComparer.Ordinal)
            .ThenBy(c => c.ClusterKey, StringComparer.Ordinal)
            .ToList();
        var duplicate = ordered.GroupBy(c => c.ClusterKey, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"cluster {duplicate.Key} contributes more than once", nameof(contributions));

        return ordered;
    }

    /// <summary>Kubernetes defaults a port's protocol to TCP.</summary>
    public static string Protocol(string? protocol) => string.IsNullOrEmpty(protocol) ? "TCP" : protocol;

    public static string TypeOf(McsServiceSnapshot service) =>
        service.Headless ? McsNames.ImportTypes.Headless : McsNames.ImportTypes.ClusterSetIp;

    private static string Affinity(McsServiceSnapshot service) =>
        string.IsNullOrEmpty(service.SessionAffinity) ? "None" : service.SessionAffinity;

    /// <summary>
    /// Ports merge first by name, then by (port, protocol), oldest first: a port whose name an older export gave
    /// another (port, protocol) is left out; one whose (port, protocol) an older export named otherwise, or gave
    /// another appProtocol, takes the older one's. Then every export whose own ports are not the merged set
    /// disagrees, the oldest included (a union the oldest lacks a port of is a conflict for it too).
    /// </summary>
    private static ImmutableArray<McsImportPort> MergePorts(IReadOnlyList<McsContribution> ordered, List<McsConflict> conflicts)
    {
        var merged = new List<(McsPort Port, List<string> ExposedBy)>();
        foreach (var contribution in ordered)
        {
            foreach (var port in Ports(contribution.Service))
            {
                var byName = merged.FindIndex(m => m.Port.Name == port.Name);
                var target = byName >= 0
                    ? (Same(merged[byName].Port, port) ? byName : -1)
                    : merged.FindIndex(m => Same(m.Port, port));
                if (byName < 0 && target < 0)
                {
                    merged.Add((port, [contribution.ClusterId]));
                }
                else if (target >= 0 && !merged[target].ExposedBy.Contains(contribution.ClusterId))
                {
                    merged[target].ExposedBy.Add(contribution.ClusterId);
                }
            }
        }

        var result = merged
            .Select(m => new McsImportPort(m.Port.Name, m.Port.Protocol, m.Port.Port, m.Port.AppProtocol, [.. m.ExposedBy]))
            .OrderBy(p => p.Name.ToLowerInvariant(), StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Port)
            .ThenBy(p => p.Protocol, StringComparer.Ordinal)
            .ToImmutableArray();

        var set = result.Select(p => new McsPort(p.Name, p.Protocol, p.Port, p.AppProtocol)).ToHashSet();
        var disagreeing = ordered.Count(c => !Ports(c.Service).ToHashSet().SetEquals(set));
        if (disagreeing > 0)
        {
            var listed = string.Join(", ", result.Select(p => $"{p.Name} {p.Port}/{p.Protocol}"));
            conflicts.Add(new McsConflict(
                McsNames.Reasons.PortConflict,
                $"Conflicting ports. {disagreeing}/{ordered.Count} clusters disagree. Using the union \"{listed}\", " +
                $"where names or numbers clash the port of the oldest service export that has it (cluster \"{ordered[0].ClusterId}\" is the oldest)."));
        }

        return result;
    }

    private static bool Same(McsPort a, McsPort b) => a.Port == b.Port && a.Protocol == b.Protocol;

    private static IEnumerable<McsPort> Ports(McsServiceSnapshot service) =>
        (service.Ports.IsDefault ? [] : service.Ports).Select(p => p with { Name = p.Name ?? "", Protocol = Protocol(p.Protocol) });

    /// <summary>
    /// The families every export shares, in the oldest's order; an export with none in common would get no traffic,
    /// so it is passed over and the service conflicts. An export that names no family (unknown) constrains nothing.
    /// </summary>
    private static ImmutableArray<string> IntersectIpFamilies(IReadOnlyList<McsContribution> ordered, List<McsConflict> conflicts)
    {
        List<string>? families = null;
        var disagreeing = 0;
        foreach (var contribution in ordered)
        {
            var own = contribution.Service.IpFamilies;
            if (own.IsDefaultOrEmpty)
                continue;

            if (families is null)
            {
                families = [.. own.Distinct(StringComparer.Ordinal)];
                continue;
            }

            var common = families.Where(own.Contains).ToList();
            if (common.Count == 0)
                disagreeing++;
            else
                families = common;
        }

        if (disagreeing > 0)
        {
            conflicts.Add(new McsConflict(
                McsNames.Reasons.IpFamilyConflict,
                $"Conflicting ipFamilies. {disagreeing}/{ordered.Count} clusters disagree. Using \"{string.Join(",", families ?? [])}\", " +
                $"the families shared with the oldest service export in cluster \"{ordered[0].ClusterId}\"."));
        }

        return families is null ? [] : [.. families];
    }

    private static void Compare<T>(
        IReadOnlyList<McsContribution> ordered, List<McsConflict> conflicts, string reason, string subject, Func<McsContribution, T> value, Func<T, string> describe)
    {
        var reference = value(ordered[0]);
        var disagreeing = ordered.Count(c => !EqualityComparer<T>.Default.Equals(value(c), reference));
        if (disagreeing > 0)
        {
            conflicts.Add(new McsConflict(
                reason,
                $"Conflicting {subject}. {disagreeing}/{ordered.Count} clusters disagree. " +
                $"Using {describe(reference)} from oldest service export in cluster \"{ordered[0].ClusterId}\"."));
        }
    }

    private static string Describe(McsMap? map) =>
        map is null || map.Count == 0 ? "none" : $"\"{string.Join(", ", map.Entries.Select(e => $"{e.Key}={e.Value}"))}\"";

    /// <summary>
    /// A source's slices keep only the ports of its Service that are import ports it exposes, named as the import
    /// names them; the port number stays the slice's (the target port).
    /// </summary>
    private static ImmutableArray<McsEndpointSlice> FilterSlices(McsContribution contribution, ImmutableArray<McsImportPort> ports)
    {
        var names = new Dictionary<(string Name, string Protocol), string>();
        foreach (var own in Ports(contribution.Service))
        {
            var port = ports.FirstOrDefault(p => p.Port == own.Port && p.Protocol == own.Protocol && p.ExposedBy.Contains(contribution.ClusterId));
            if (port is not null)
                names.TryAdd((own.Name, own.Protocol), port.Name);
        }

        return [.. (contribution.Slices.IsDefault ? [] : contribution.Slices).Select(slice => slice with
        {
            Ports = [.. (slice.Ports.IsDefault ? [] : slice.Ports)
                .Select(p => (Port: p, Key: (p.Name ?? "", Protocol(p.Protocol))))
                .Where(p => names.ContainsKey(p.Key))
                .Select(p => p.Port with { Name = names[p.Key], Protocol = p.Key.Item2 })],
        })];
    }

    private static McsExportVerdict Verdict(List<McsConflict> conflicts)
    {
        if (conflicts.Count == 0)
            return McsExportVerdict.NoConflicts;

        var sorted = conflicts.OrderBy(c => Array.IndexOf(ReasonOrder, c.Reason)).ToList();
        return new McsExportVerdict(true, true, sorted[0].Reason, string.Join(" ", sorted.Select(c => c.Message)));
    }
}
