using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Interfaces;

namespace ErieCanal.Orleans.Grains.Directory;

[GenerateSerializer]
public sealed class ClusterDirectoryState
{
    [Id(0)]
    public Dictionary<string, ClusterInfo> Clusters { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public Dictionary<string, long> Services { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The members and the services with contributions. A change is persisted before the call returns (a repeat of what
/// is known costs nothing): an acknowledged change lost with a killed silo would hide a service from repair for good.
/// A change of a member's health alone is written by the next second's flush instead: verdicts can come by the
/// hundred when many members flap, and one lost with a killed silo is told again (the member's grain re-registers
/// on its resync; writers also hear health on the health channel).
/// </summary>
public sealed class ClusterDirectoryGrain(
    [PersistentState("directory", StorageNames.Grains)] IPersistentState<ClusterDirectoryState> state) : Grain, IClusterDirectoryGrain
{
    private bool _dirty;
    private IGrainTimer? _flush;
    private ImmutableArray<ClusterInfo>? _sorted;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flush = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        await FlushAsync(cancellationToken);
    }

    public async Task Register(ClusterInfo cluster)
    {
        if (state.State.Clusters.TryGetValue(cluster.ClusterKey, out var existing) && existing == cluster)
        {
            await FlushAsync(CancellationToken.None);
            return;
        }

        state.State.Clusters[cluster.ClusterKey] = cluster;
        _sorted = null;
        _dirty = true;
        if (!OnlyHealthChanged(existing, cluster))
        {
            await FlushAsync(CancellationToken.None);
        }
    }

    public async Task Unregister(string clusterKey)
    {
        if (state.State.Clusters.Remove(clusterKey))
        {
            (_dirty, _sorted) = (true, null);
        }

        await FlushAsync(CancellationToken.None);
    }

    /// <summary>True when <paramref name="next"/> differs from a known entry only in its health (flushed by the timer).</summary>
    public static bool OnlyHealthChanged(ClusterInfo? known, ClusterInfo next) =>
        known is not null && known with { Healthy = next.Healthy, HealthSequence = next.HealthSequence } == next;

    public Task<ImmutableArray<ClusterInfo>> GetClusters() =>
        Task.FromResult(_sorted ??= state.State.Clusters.Values.OrderBy(c => c.ClusterKey, StringComparer.Ordinal).ToImmutableArray());

    public async Task SetServiceVersion(string serviceKey, long version)
    {
        if (version <= 0)
        {
            _dirty |= state.State.Services.Remove(serviceKey);
        }
        else if (!state.State.Services.TryGetValue(serviceKey, out var known) || known < version)
        {
            state.State.Services[serviceKey] = version;
            _dirty = true;
        }

        // Written before the call returns: a version acknowledged and then lost with this grain's silo would hide
        // the service from every writer's repair (its import grain, still active elsewhere, never sends it again).
        await FlushAsync(CancellationToken.None);
    }

    public Task<ImmutableDictionary<string, long>> GetServices() =>
        Task.FromResult(state.State.Services.ToImmutableDictionary(StringComparer.Ordinal));

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        // Dirty until written: a failed write (the store restarting) is tried again on the next call or tick.
        if (_dirty)
        {
            await state.WriteOverStaleAsync(cancellationToken);
            _dirty = false;
        }
    }
}
