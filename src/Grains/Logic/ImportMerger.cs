using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Logic;

/// <summary>
/// Merges the exports of one namespace/name into the ServiceImport every member should hold, as KEP-1645 asks:
/// the oldest export is the reference, newer ones that disagree with it are left out, and every export involved in a
/// disagreement is told so.
/// </summary>
public static class ImportMerger
{
    // The order a verdict's reason is picked in when an export disagrees in several ways.
    private static readonly string[] ReasonPriority =
        [ConditionReasons.TypeConflict, ConditionReasons.SessionAffinityConflict, ConditionReasons.PortConflict];

    public static MergeResult Merge(string ns, string name, long version, IEnumerable<ExportContribution> contributions)
    {
        var ordered = contributions
            .OrderBy(c => c.CreatedAt)
            .ThenBy(c => c.ClusterKey, StringComparer.Ordinal)
            .ToList();
        var duplicate = ordered.GroupBy(c => c.ClusterKey, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"cluster {duplicate.Key} contributes more than once", nameof(contributions));

        var ports = new List<MergingPort>();
        var agreeing = new List<ExportContribution>();
        var disagreements = new List<Disagreement>();
        foreach (var contribution in ordered)
        {
            var found = agreeing.Count == 0 ? [] : Disagreements(agreeing[0], ports, contribution);
            if (found.Count == 0)
            {
                agreeing.Add(contribution);
                Absorb(ports, contribution);
            }
            else
            {
                disagreements.AddRange(found);
            }
        }

        var verdicts = ordered.ToImmutableSortedDictionary(
            c => c.ClusterKey,
            c => Verdict(c.ClusterKey, disagreements),
            StringComparer.Ordinal);
        return new MergeResult(Build(ns, name, version, agreeing, ports), verdicts, agreeing.ToImmutableArray());
    }

    /// <summary>
    /// The import one member should hold: only endpoints of agreeing exports whose targetClusters is empty or names the
    /// member (by clusterKey or bare cluster name); null when no export targets it.
    /// </summary>
    public static MergedImport? ViewFor(MergeResult result, string memberClusterKey)
    {
        if (result.Import is null)
            return null;

        var targeting = result.Agreeing
            .Where(c => c.TargetClusters.IsDefaultOrEmpty || c.TargetClusters.Any(t => ClusterKeys.Matches(t, memberClusterKey)))
            .Select(c => c.ClusterKey)
            .ToHashSet(StringComparer.Ordinal);
        if (targeting.Count == 0)
            return null;

        // A port only exports that skip this member offer has no endpoint here, so the member does not see it.
        var ports = result.Import.Ports
            .Select(p => p with { Endpoints = [.. p.Endpoints.Where(e => targeting.Contains(e.ClusterKey))] })
            .Where(p => p.Endpoints.Length > 0)
            .ToImmutableArray();
        return result.Import with { Ports = ports };
    }

    private static List<Disagreement> Disagreements(ExportContribution reference, List<MergingPort> ports, ExportContribution newer)
    {
        var found = new List<Disagreement>();
        if (newer.Type != reference.Type)
        {
            found.Add(new Disagreement(
                ConditionReasons.TypeConflict, reference.ClusterKey, newer.ClusterKey, "type", reference.Type, newer.Type));
        }

        if (newer.SessionAffinity != reference.SessionAffinity)
        {
            found.Add(new Disagreement(
                ConditionReasons.SessionAffinityConflict, reference.ClusterKey, newer.ClusterKey,
                "sessionAffinity", reference.SessionAffinity, newer.SessionAffinity));
        }

        foreach (var port in newer.Ports.IsDefault ? [] : newer.Ports)
        {
            var protocol = MergingPort.NormalizeProtocol(port.Protocol);
            var portName = MergingPort.Named(port.Name);
            if (portName is not null && ports.FirstOrDefault(p => p.Name == portName) is { } sameName && !sameName.Is(protocol, port.Port))
            {
                found.Add(new Disagreement(
                    ConditionReasons.PortConflict, sameName.Owner, newer.ClusterKey,
                    $"port '{portName}'", $"{sameName.Protocol}/{sameName.Port}", $"{protocol}/{port.Port}"));
            }

            if (portName is not null && ports.FirstOrDefault(p => p.Is(protocol, port.Port)) is { Name: { } otherName } sameNumber
                && otherName != portName)
            {
                found.Add(new Disagreement(
                    ConditionReasons.PortConflict, sameNumber.Owner, newer.ClusterKey,
                    $"the name of port {protocol}/{port.Port}", $"'{otherName}'", $"'{portName}'"));
            }
        }

        return found;
    }

    // Ports merge by name first, then by (protocol, port); an unnamed port takes the first name an export gives it.
    private static void Absorb(List<MergingPort> ports, ExportContribution contribution)
    {
        foreach (var port in contribution.Ports.IsDefault ? [] : contribution.Ports)
        {
            var protocol = MergingPort.NormalizeProtocol(port.Protocol);
            var portName = MergingPort.Named(port.Name);
            var target = (portName is null ? null : ports.FirstOrDefault(p => p.Name == portName))
                ?? ports.FirstOrDefault(p => p.Is(protocol, port.Port));
            if (target is null)
            {
                target = new MergingPort(port, contribution.ClusterKey);
                ports.Add(target);
            }

            target.Absorb(port, contribution);
        }
    }

    private static ConflictVerdict Verdict(string clusterKey, List<Disagreement> disagreements)
    {
        var lost = disagreements.Where(d => d.Loser == clusterKey).ToList();
        if (lost.Count > 0)
        {
            return new ConflictVerdict(
                true,
                MainReason(lost),
                $"left out of the ServiceImport because an older export wins: {string.Join("; ", lost.Select(d => d.ForLoser))}");
        }

        var won = disagreements.Where(d => d.Winner == clusterKey).ToList();
        if (won.Count > 0)
        {
            var losers = string.Join(", ", won.Select(d => d.Loser).Distinct());
            return new ConflictVerdict(
                true,
                MainReason(won),
                $"newer exports from {losers} disagree with this one, which is older and wins, so they are left out of " +
                $"the ServiceImport: {string.Join("; ", won.Select(d => d.ForWinner))}");
        }

        return ConflictVerdict.None;
    }

    private static string MainReason(List<Disagreement> disagreements) =>
        ReasonPriority.First(reason => disagreements.Any(d => d.Reason == reason));

    private static MergedImport? Build(string ns, string name, long version, List<ExportContribution> agreeing, List<MergingPort> ports)
    {
        if (agreeing.Count == 0)
            return null;

        var reference = agreeing[0];
        var built = ports
            .Select(p => p.Build())
            .OrderBy(p => p.Port)
            .ThenBy(p => p.Name ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(p => p.Protocol, StringComparer.Ordinal)
            .ToImmutableArray();
        return new MergedImport(
            ns, name, version, reference.Type, reference.SessionAffinity, reference.SessionAffinityTimeoutSeconds,
            reference.ServiceAccountName, built);
    }
}
