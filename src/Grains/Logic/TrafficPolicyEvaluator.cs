using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Logic;

/// <summary>
/// Evaluates a consuming cluster's GlobalTrafficPolicy against the import it holds, so a gateway or mesh only has to
/// read the result: which endpoints are active, with what weight, and which are standbys or unhealthy.
/// </summary>
public static class TrafficPolicyEvaluator
{
    private const int DefaultWeight = 100;

    private static readonly string[] KnownLbTypes = [LbTypes.Locality, LbTypes.ActiveActive, LbTypes.FailOver];

    public static PolicyValidation Validate(TrafficPolicySpec policy, IReadOnlySet<string> knownClusterKeys)
    {
        var lbType = EffectiveLbType(policy);
        var targets = Targets(policy);
        var problems = new List<string>();
        if (!KnownLbTypes.Contains(lbType))
            problems.Add($"lbType '{lbType}' is not one of {string.Join(", ", KnownLbTypes)}");
        if (lbType == LbTypes.Locality && targets.Length > 1)
        {
            problems.Add($"Locality allows at most one target, got {targets.Length}: " +
                string.Join(", ", targets.Select(t => t.ClusterKey)));
        }

        if (lbType == LbTypes.FailOver && targets.Length == 0)
            problems.Add("FailOver needs at least one target to fail over to");
        problems.AddRange(targets
            .Where(t => t.Weight < 0)
            .Select(t => $"target {t.ClusterKey} has negative weight {t.Weight}"));

        var unknown = UnknownTargets(targets, knownClusterKeys);
        return new PolicyValidation(
            problems.Count == 0,
            problems.Count == 0 ? ConditionReasons.Accepted : ConditionReasons.InvalidPolicy,
            problems.Count == 0 ? $"{lbType} policy is valid" : string.Join("; ", problems),
            unknown.Count == 0,
            unknown.Count == 0 ? ConditionReasons.AllResolved : ConditionReasons.UnknownClusterKey,
            unknown.Count == 0
                ? "all targets name known clusters"
                : $"unknown clusterKey{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown)}");
    }

    /// <summary>
    /// Evaluates <paramref name="policy"/> (null: the default, Locality) for <paramref name="localClusterKey"/>. An
    /// endpoint takes traffic only if its service has ready endpoints (<see cref="ImportEndpoint.Healthy"/>) and its
    /// member is not in <paramref name="unhealthyMembers"/>: member health is applied here, never in the import.
    /// </summary>
    public static Routing Evaluate(
        MergedImport import, string localClusterKey, TrafficPolicySpec? policy, string? policyName, IReadOnlySet<string> knownClusterKeys,
        IReadOnlySet<string>? unhealthyMembers = null)
    {
        import = WithMemberHealth(import, unhealthyMembers);
        if (policy is null)
            return Route(LbTypes.Locality, null, import, [], localClusterKey, []);

        var problems = new List<string>();
        var validation = Validate(policy, knownClusterKeys);
        if (!validation.RefsResolved)
            problems.Add($"{validation.RefsReason}: {validation.RefsMessage}; those targets are skipped");

        var policyRef = $"{import.Namespace}/{policyName ?? import.Name}";
        if (!validation.Valid)
        {
            // An invalid policy must not send traffic anywhere surprising: fall back to the default, local only.
            problems.Insert(0, $"{validation.ValidReason}: {validation.ValidMessage}; evaluated as {LbTypes.Locality}");
            return Route(LbTypes.Locality, policyRef, import, [], localClusterKey, problems);
        }

        // The first mention of a cluster counts; unknown ones are skipped (and reported above).
        var targets = Targets(policy)
            .Where(t => knownClusterKeys.Contains(t.ClusterKey))
            .DistinctBy(t => t.ClusterKey, StringComparer.Ordinal)
            .ToImmutableArray();
        var lbType = EffectiveLbType(policy);

        // ActiveActive listing no target means every cluster; listing only unknown ones must not widen it to all.
        var everyCluster = lbType == LbTypes.ActiveActive && Targets(policy).Length == 0;
        return Route(lbType, policyRef, import, everyCluster ? null : targets, localClusterKey, problems);
    }

    /// <summary>
    /// The routing a member derives from the ServiceImport's spec alone when status.routing is absent: no policy,
    /// every endpoint healthy (Locality: this member's own endpoints, each Active with the default weight). A routing
    /// equal to this says nothing the spec does not, and is not written.
    /// </summary>
    public static Routing Default(MergedImport import, string localClusterKey)
    {
        ArgumentNullException.ThrowIfNull(import);
        var healthy = import with { Ports = [.. import.Ports.Select(p => p with { Endpoints = [.. p.Endpoints.Select(e => e.Healthy ? e : e with { Healthy = true })] })] };
        return Route(LbTypes.Locality, null, healthy, [], localClusterKey, []);
    }

    private static MergedImport WithMemberHealth(MergedImport import, IReadOnlySet<string>? unhealthyMembers)
    {
        if (unhealthyMembers is not { Count: > 0 } || !import.Ports.Any(p => p.Endpoints.Any(e => e.Healthy && unhealthyMembers.Contains(e.ClusterKey))))
        {
            return import;
        }

        return import with
        {
            Ports = [.. import.Ports.Select(p => p with
            {
                Endpoints = [.. p.Endpoints.Select(e => e.Healthy && unhealthyMembers.Contains(e.ClusterKey) ? e with { Healthy = false } : e)],
            })],
        };
    }

    // targets null: every cluster is a target (ActiveActive with none listed).
    private static Routing Route(
        string lbType, string? policyRef, MergedImport import, ImmutableArray<PolicyTarget>? targets, string local, List<string> problems)
    {
        var ports = import.Ports
            .Select(p => new RoutePort(p.Name, p.Protocol, p.Port, RoutePortEndpoints(lbType, p, targets, local)))
            .ToImmutableArray();
        var active = ports.Sum(p => p.Endpoints.Count(e => e.State == EndpointStates.Active));
        return new Routing(lbType, policyRef, ports, active, [.. problems]);
    }

    private static ImmutableArray<RouteEndpoint> RoutePortEndpoints(
        string lbType, ImportPort port, ImmutableArray<PolicyTarget>? targets, string local)
    {
        var listed = targets ?? [];
        PolicyTarget? Target(string clusterKey) => listed.FirstOrDefault(t => t.ClusterKey == clusterKey);

        switch (lbType)
        {
            case LbTypes.Locality:
                // Locality may name one cluster to use instead of the local one.
                var only = listed.Length == 1 ? listed[0].ClusterKey : local;
                return [.. port.Endpoints.Where(e => e.ClusterKey == only).Select(e => Serve(e, DefaultWeight))];

            case LbTypes.ActiveActive:
                return
                [
                    .. port.Endpoints
                        .Where(e => e.ClusterKey == local || targets is null || Target(e.ClusterKey) is not null)
                        .Select(e => Serve(e, e.ClusterKey == local ? DefaultWeight : WeightOf(Target(e.ClusterKey)))),
                ];

            default:
                var primaryHealthy = port.Endpoints.Any(e => e.ClusterKey == local && e.Healthy);
                return
                [
                    .. port.Endpoints
                        .Where(e => e.ClusterKey == local || Target(e.ClusterKey) is not null)
                        .Select(e => e.ClusterKey == local || !e.Healthy
                            ? Serve(e, DefaultWeight)
                            : primaryHealthy
                                ? Endpoint(e, 0, EndpointStates.Standby)
                                : Serve(e, WeightOf(Target(e.ClusterKey)))),
                ];
        }
    }

    /// <summary>A healthy endpoint takes traffic with its weight; an unhealthy one takes none.</summary>
    private static RouteEndpoint Serve(ImportEndpoint e, int weight) =>
        e.Healthy ? Endpoint(e, weight, EndpointStates.Active) : Endpoint(e, 0, EndpointStates.Unhealthy);

    private static RouteEndpoint Endpoint(ImportEndpoint e, int weight, string state) =>
        new(e.ClusterKey, e.Host, e.Ip, e.Port, e.Path, weight, state);

    /// <summary>ErieCanal's rule: a missing or zero weight means 100.</summary>
    private static int WeightOf(PolicyTarget? target) => target?.Weight is > 0 and var w ? w : DefaultWeight;

    private static string EffectiveLbType(TrafficPolicySpec policy) =>
        string.IsNullOrEmpty(policy.LbType) ? LbTypes.Locality : policy.LbType;

    private static ImmutableArray<PolicyTarget> Targets(TrafficPolicySpec policy) =>
        policy.Targets.IsDefault ? [] : policy.Targets;

    private static List<string> UnknownTargets(ImmutableArray<PolicyTarget> targets, IReadOnlySet<string> known) =>
        [.. targets.Select(t => t.ClusterKey).Where(k => !known.Contains(k)).Distinct(StringComparer.Ordinal)];
}
