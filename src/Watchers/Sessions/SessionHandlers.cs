using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Sessions;

// The informer handlers of a member session: each turns changes into observation state and service keys to send.

/// <summary>Tells the session's watch state when an informer has delivered a whole list.</summary>
internal sealed class SyncReporting<T>(IInformerHandler<T> inner, WatchState state) : IInformerHandler<T>
{
    public Task OnUpsertAsync(T obj, CancellationToken cancellationToken) => inner.OnUpsertAsync(obj, cancellationToken);

    public Task OnDeleteAsync(T lastKnown, CancellationToken cancellationToken) => inner.OnDeleteAsync(lastKnown, cancellationToken);

    public async Task OnSyncedAsync(CancellationToken cancellationToken)
    {
        await inner.OnSyncedAsync(cancellationToken);
        state.MarkSynced();
    }
}

/// <summary>Routes one informer's changes into the observations and marks the affected service dirty.</summary>
internal sealed class ObservationHandler<T>(Action<string> markDirty, Func<T, bool, string?> apply) : IInformerHandler<T>
    where T : class
{
    public Task OnUpsertAsync(T obj, CancellationToken cancellationToken) => Mark(apply(obj, true));

    public Task OnDeleteAsync(T lastKnown, CancellationToken cancellationToken) => Mark(apply(lastKnown, false));

    public Task OnSyncedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task Mark(string? key)
    {
        if (key is not null)
        {
            markDirty(key);
        }

        return Task.CompletedTask;
    }
}

/// <summary>An Ingress change re-observes its own export and every export whose path conflict it may change.</summary>
internal sealed class IngressHandler(Action<string> markDirty, MemberObservations observations) : IInformerHandler<V1Ingress>
{
    public Task OnUpsertAsync(V1Ingress obj, CancellationToken cancellationToken) => Mark(observations.SetIngress(obj, true));

    public Task OnDeleteAsync(V1Ingress lastKnown, CancellationToken cancellationToken) => Mark(observations.SetIngress(lastKnown, false));

    public Task OnSyncedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task Mark(IReadOnlyCollection<string> keys)
    {
        foreach (var key in keys)
        {
            markDirty(key);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// GlobalTrafficPolicies go straight to the member's writer, which evaluates them. The handler keeps the member's
/// policies so the session can send the whole set again each resync: the writer holds them in memory only, and one
/// that lost its activation (its silo died) gets them back without waiting for a relist.
/// </summary>
internal sealed class PolicyHandler(IMemberSink sink) : IInformerHandler<GlobalTrafficPolicyResource>
{
    private ImmutableDictionary<string, TrafficPolicySpec> _policies = ImmutableDictionary.Create<string, TrafficPolicySpec>(StringComparer.Ordinal);

    /// <summary>The member's policies as last listed or watched (key: namespace/name).</summary>
    public ImmutableDictionary<string, TrafficPolicySpec> Policies => Volatile.Read(ref _policies);

    public Task OnUpsertAsync(GlobalTrafficPolicyResource obj, CancellationToken cancellationToken)
    {
        var (ns, name) = (obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
        var policy = new TrafficPolicySpec(
            string.IsNullOrEmpty(obj.Spec.LbType) ? LbTypes.Locality : obj.Spec.LbType,
            (obj.Spec.Targets ?? []).Select(t => new PolicyTarget(t.ClusterKey, t.Weight)).ToImmutableArray(),
            obj.Metadata.Generation ?? 1);
        ImmutableInterlocked.Update(ref _policies, (all, p) => all.SetItem(ServiceKeys.Service(ns, name), p), policy);
        return sink.SetPolicy(ns, name, policy);
    }

    public Task OnDeleteAsync(GlobalTrafficPolicyResource lastKnown, CancellationToken cancellationToken)
    {
        var (ns, name) = (lastKnown.Metadata.NamespaceProperty ?? "", lastKnown.Metadata.Name);
        ImmutableInterlocked.Update(ref _policies, (all, key) => all.Remove(key), ServiceKeys.Service(ns, name));
        return sink.SetPolicy(ns, name, null);
    }

    /// <summary>After a (re)list the whole set goes too: a delete missed while the watch was down is a drop here.</summary>
    public Task OnSyncedAsync(CancellationToken cancellationToken) => sink.SyncPolicies(Policies);
}
