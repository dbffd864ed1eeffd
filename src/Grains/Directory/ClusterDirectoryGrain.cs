using System.Collections.Immutable;
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
/// The members and the services with contributions. Writes are batched into one persisted write per second, so a
/// burst of a thousand new services costs a handful of storage writes.
/// </summary>
public sealed class ClusterDirectoryGrain(
    [PersistentState("directory", StorageNames.Grains)] IPersistentState<ClusterDirectoryState> state) : Grain, IClusterDirectoryGrain
{
    private bool _dirty;
    private IGrainTimer? _flush;

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

    public Task Register(ClusterInfo cluster)
    {
        if (!state.State.Clusters.TryGetValue(cluster.ClusterKey, out var existing) || !Structural.Same(existing, cluster))
        {
            state.State.Clusters[cluster.ClusterKey] = cluster;
            _dirty = true;
        }

        return Task.CompletedTask;
    }

    public Task Unregister(string clusterKey)
    {
        _dirty |= state.State.Clusters.Remove(clusterKey);
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<ClusterInfo>> GetClusters() =>
        Task.FromResult(state.State.Clusters.Values.OrderBy(c => c.ClusterKey, StringComparer.Ordinal).ToImmutableArray());

    public Task SetServiceVersion(string serviceKey, long version)
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

        return Task.CompletedTask;
    }

    public Task<ImmutableDictionary<string, long>> GetServices() =>
        Task.FromResult(state.State.Services.ToImmutableDictionary(StringComparer.Ordinal));

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            _dirty = false;
            await state.WriteStateAsync(cancellationToken);
        }
    }
}
