using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Logic;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Writers;

namespace ErieCanal.Orleans.Grains.Imports;

/// <summary>
/// What one member's ServiceImports must be, decided single-threaded inside its writer grain: the desired import
/// per service (newest version wins), the member's policies, the known members and their health. Every change is
/// turned into the least work for the engine: a spec is sent only when its content hash changed, routing only when
/// its value changed, so a health flip yields routing patches and nothing else; a routing the spec already implies
/// (<see cref="TrafficPolicyEvaluator.Default"/>) is marked omitted, and the member's status.routing stays absent. Work carries its origin (the span
/// and observation time of the change that caused it) and, for routing, why members' endpoints changed state.
/// </summary>
public sealed class ImportDecisions(string clusterKey, IImportWorkSink sink)
{
    private readonly Dictionary<string, Desired> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrafficPolicySpec> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sentHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Routing> _sentRouting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberHealth> _reported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unhealthy = new(StringComparer.Ordinal);
    private Dictionary<string, ClusterInfo> _directory = new(StringComparer.Ordinal);
    private IReadOnlySet<string> _known = new HashSet<string>(StringComparer.Ordinal);
    private HashSet<string> _healthChanged = new(StringComparer.Ordinal);
    private WorkOrigin? _origin;

    public string ClusterKey => clusterKey;

    /// <summary>Members whose endpoints take no traffic now.</summary>
    public IReadOnlySet<string> Unhealthy => _unhealthy;

    /// <summary>The members policies may name (the directory's).</summary>
    public IReadOnlySet<string> Known => _known;

    public IEnumerable<string> Policies => _policies.Keys;

    /// <summary>The version this member's view of <paramref name="key"/> is at (0: nothing known).</summary>
    public long VersionOf(string key) => _desired.TryGetValue(key, out var desired) ? desired.Version : 0;

    /// <summary>
    /// Takes a newer desired import (null: it must not exist); stale or repeated versions are dropped.
    /// <paramref name="origin"/>: the change it comes from, carried by the work it yields.
    /// </summary>
    public bool Accept(string key, long version, MergedImport? import, WorkOrigin? origin = null)
    {
        if (_desired.TryGetValue(key, out var current) && version <= current.Version)
        {
            return false;
        }

        _desired[key] = new Desired(version, import, origin);
        _origin = origin;
        try
        {
            Decide(key);
        }
        finally
        {
            _origin = null;
        }

        return true;
    }

    /// <summary>An import found in the member that no service wants: delete it whatever was sent before.</summary>
    public void Withdraw(string key)
    {
        _desired[key] = new Desired(_desired.TryGetValue(key, out var current) ? current.Version : 0, null);
        Decide(key);
    }

    public void SetPolicy(string key, TrafficPolicySpec? policy)
    {
        if (policy is null)
        {
            _policies.Remove(key);
        }
        else
        {
            _policies[key] = policy;
            SendConditions(key, policy);
        }

        DecideRouting(key);
    }

    /// <summary>
    /// The member's whole policy set (its session resends it every resync): what this writer lacks or holds in an
    /// older form is set, what the member no longer has is dropped; an unchanged policy costs nothing.
    /// </summary>
    public void SyncPolicies(IReadOnlyDictionary<string, TrafficPolicySpec> policies)
    {
        foreach (var key in _policies.Keys.Where(k => !policies.ContainsKey(k)).ToList())
        {
            SetPolicy(key, null);
        }

        foreach (var (key, policy) in policies)
        {
            if (!_policies.TryGetValue(key, out var held) || held != policy)
            {
                SetPolicy(key, policy);
            }
        }
    }

    /// <summary>Level-triggered: the policies' conditions again (the engine skips unchanged ones).</summary>
    public void ResendConditions()
    {
        foreach (var (key, policy) in _policies)
        {
            SendConditions(key, policy);
        }
    }

    /// <summary>
    /// The directory's members: which clusterKeys policies may name, and each member's health decision as the
    /// directory holds it (used where the health channel brought nothing as new).
    /// </summary>
    public void SetMembers(IEnumerable<ClusterInfo> members)
    {
        var list = members.ToList();
        var known = list.Select(c => c.ClusterKey).ToHashSet(StringComparer.Ordinal);
        var knownChanged = !known.SetEquals(_known);
        _known = known;
        _directory = list.ToDictionary(c => c.ClusterKey, StringComparer.Ordinal);
        if (RecomputeHealth() || knownChanged)
        {
            DecideAllRouting();
            _healthChanged.Clear();
            if (knownChanged)
            {
                ResendConditions();
            }
        }
    }

    /// <summary>A health decision from the health channel; older sequences of the member are dropped.</summary>
    public bool SetHealth(MemberHealth health, WorkOrigin? origin = null)
    {
        if (_reported.TryGetValue(health.ClusterKey, out var seen) && health.Sequence <= seen.Sequence)
        {
            return false;
        }

        _reported[health.ClusterKey] = health;
        _origin = origin;
        try
        {
            if (RecomputeHealth())
            {
                DecideAllRouting();
            }
        }
        finally
        {
            _origin = null;
            _healthChanged.Clear();
        }

        return true;
    }

    public Routing? RoutingOf(string key) =>
        _desired.TryGetValue(key, out var desired) && desired.Import is { } import ? Evaluate(key, import) : null;

    /// <summary>Everything again, as if nothing had been sent (a new engine).</summary>
    public void ResendAll()
    {
        _sentHash.Clear();
        _sentRouting.Clear();
        foreach (var key in _desired.Keys.ToList())
        {
            Decide(key);
        }

        ResendConditions();
    }

    private bool RecomputeHealth()
    {
        // Per member, the newer decision of the two paths wins: the channel is fresher, but lossy (a decision published
        // while the relay or this writer was down is heard from the directory, which the member grain writes after).
        var unhealthy = _known.Where(k => _reported.TryGetValue(k, out var h) && (!_directory.TryGetValue(k, out var d) || h.Sequence >= d.HealthSequence)
                ? !h.Healthy
                : _directory.TryGetValue(k, out var info) && !info.Healthy)
            .Concat(_reported.Values.Where(h => !h.Healthy && !_known.Contains(h.ClusterKey)).Select(h => h.ClusterKey))
            .ToHashSet(StringComparer.Ordinal);
        if (unhealthy.SetEquals(_unhealthy))
        {
            return false;
        }

        // The members whose flip the routing decided next is about (the causes of its transitions).
        _healthChanged = unhealthy.ToHashSet(StringComparer.Ordinal);
        _healthChanged.SymmetricExceptWith(_unhealthy);
        _unhealthy.Clear();
        _unhealthy.UnionWith(unhealthy);
        return true;
    }

    private void Decide(string key)
    {
        var (ns, name) = ServiceKeys.ParseService(key);
        var desired = _desired[key];
        if (desired.Import is not { } import)
        {
            // Sent or not: the member may hold it from before this activation (the engine skips absent ones).
            _sentRouting.Remove(key);
            _sentHash.Remove(key);
            sink.Submit(new DeleteImport(ns, name) { Origin = _origin ?? desired.Origin });
            return;
        }

        var spec = ServiceImportDocument.Spec(import);
        var hash = ServiceImportDocument.Hash(spec);
        if (!_sentHash.TryGetValue(key, out var sent) || sent != hash)
        {
            sink.Submit(new ApplyImport(ns, name, ServiceImportDocument.Apply(import, spec, hash), hash) { Origin = _origin ?? desired.Origin });
            _sentHash[key] = hash;
        }

        DecideRouting(key);
    }

    private void DecideAllRouting()
    {
        foreach (var key in _desired.Keys)
        {
            DecideRouting(key);
        }
    }

    private void DecideRouting(string key)
    {
        if (!_desired.TryGetValue(key, out var desired) || desired.Import is not { } import)
        {
            return;
        }

        var routing = Evaluate(key, import);
        if (_sentRouting.TryGetValue(key, out var sent) && sent == routing)
        {
            return;
        }

        // Most imports have no policy and no marked endpoint: their routing is what every member derives from the spec,
        // and status.routing stays absent (removed where it was written).
        var (ns, name) = ServiceKeys.ParseService(key);
        var omitted = !_policies.ContainsKey(key) && routing == TrafficPolicyEvaluator.Default(import, clusterKey);
        sink.Submit(new PatchRouting(ns, name, routing) { Origin = _origin ?? desired.Origin, Causes = CausesOf(sent, routing), Omitted = omitted });
        _sentRouting[key] = routing;
    }

    /// <summary>Why each member whose endpoints changed state between two routings did: its health, or the service's.</summary>
    private ImmutableDictionary<string, RoutingCause> CausesOf(Routing? sent, Routing routing)
    {
        if (sent is null)
        {
            return ImmutableDictionary<string, RoutingCause>.Empty;
        }

        var causes = ImmutableDictionary.CreateBuilder<string, RoutingCause>(StringComparer.Ordinal);
        foreach (var (member, failedOver) in RoutingStates.Transitions(RoutingStates.FailedOver(sent), RoutingStates.FailedOver(routing)))
        {
            causes[member] = !_healthChanged.Contains(member)
                ? new RoutingCause(failedOver ? RoutingEvents.ServiceUnhealthy : RoutingEvents.ServiceHealthy, default)
                : _reported.TryGetValue(member, out var health)
                    ? new RoutingCause(health.Reason is { Length: > 0 } reason ? reason : failedOver ? RoutingEvents.MemberUnhealthy : RoutingEvents.MemberHealthy, health.Since)
                    : new RoutingCause(failedOver ? RoutingEvents.MemberUnhealthy : RoutingEvents.MemberHealthy, default);
        }

        return causes.ToImmutable();
    }

    private void SendConditions(string key, TrafficPolicySpec policy)
    {
        var (ns, name) = ServiceKeys.ParseService(key);
        var v = TrafficPolicyEvaluator.Validate(policy, _known);
        sink.Submit(new PatchPolicyConditions(ns, name, policy.Generation,
            new PolicyCondition(v.Valid, v.ValidReason, v.ValidMessage), new PolicyCondition(v.RefsResolved, v.RefsReason, v.RefsMessage)));
    }

    private Routing Evaluate(string key, MergedImport import)
    {
        _policies.TryGetValue(key, out var policy);
        return TrafficPolicyEvaluator.Evaluate(import, clusterKey, policy, policy is null ? null : ServiceKeys.ParseService(key).Name, _known, _unhealthy);
    }

    private sealed record Desired(long Version, MergedImport? Import, WorkOrigin? Origin = null);
}
