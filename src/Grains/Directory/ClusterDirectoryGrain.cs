using System.Collections.Immutable;
using ErieCanal.Orleans.Grains.Storage;
using ErieCanal.Orleans.Interfaces;
using Orleans.Concurrency;

namespace ErieCanal.Orleans.Grains.Directory;

[GenerateSerializer]
public sealed class ClusterDirectoryState
{
    [Id(0)]
    public Dictionary<string, ClusterInfo> Clusters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The service index as earlier versions kept it here; handed to the index shards on activation.</summary>
    [Id(1)]
    public Dictionary<string, long> Services { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The members, and the front of the service index (kept in <see cref="IServiceIndexGrain"/> shards). A change of
/// the members is persisted before the call returns (a repeat of what is known costs nothing); calls interleave, so
/// the changes arriving while a write is in flight share the next one. A change of a member's health alone is written
/// by the next second's flush instead: verdicts can come by the hundred when many members flap, and one lost with a killed silo is told again (the member's grain re-registers
/// on its resync; writers also hear health on the health channel).
/// </summary>
[Reentrant]
public sealed class ClusterDirectoryGrain : Grain, IClusterDirectoryGrain
{
    private readonly IPersistentState<ClusterDirectoryState> _state;
    private readonly GroupCommit _commit;
    private Dictionary<string, ClusterInfo> _clusters = new(StringComparer.Ordinal);
    private IGrainTimer? _flush;
    private ImmutableArray<ClusterInfo>? _sorted;

    public ClusterDirectoryGrain([PersistentState("directory", StorageNames.Grains)] IPersistentState<ClusterDirectoryState> state)
    {
        _state = state;
        _commit = new GroupCommit(WriteAsync);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _clusters = new(_state.State.Clusters, StringComparer.Ordinal);
        if (_state.State.Services.Count > 0)
        {
            // An index stored here by an earlier version: hand it to the shards, then drop it (a crash in between
            // repeats the hand-over, which is idempotent).
            await Task.WhenAll(_state.State.Services.Select(s => SetServiceVersion(s.Key, s.Value)));
            _commit.Changed();
            await _commit.PersistAsync(cancellationToken);
        }

        _flush = this.RegisterGrainTimer(ct => _commit.PersistAsync(ct), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        await _commit.PersistAsync(cancellationToken);
    }

    public async Task Register(ClusterInfo cluster)
    {
        if (_clusters.TryGetValue(cluster.ClusterKey, out var existing) && existing == cluster)
        {
            await _commit.PersistAsync(CancellationToken.None);
            return;
        }

        _clusters[cluster.ClusterKey] = cluster;
        _sorted = null;
        _commit.Changed();
        if (!OnlyHealthChanged(existing, cluster))
        {
            await _commit.PersistAsync(CancellationToken.None);
        }
    }

    public async Task Unregister(string clusterKey)
    {
        if (_clusters.Remove(clusterKey))
        {
            _sorted = null;
            _commit.Changed();
        }

        await _commit.PersistAsync(CancellationToken.None);
    }

    /// <summary>True when <paramref name="next"/> differs from a known entry only in its health (flushed by the timer).</summary>
    public static bool OnlyHealthChanged(ClusterInfo? known, ClusterInfo next) =>
        known is not null && known with { Healthy = next.Healthy, HealthSequence = next.HealthSequence } == next;

    public Task<ImmutableArray<ClusterInfo>> GetClusters() =>
        Task.FromResult(_sorted ??= _clusters.Values.OrderBy(c => c.ClusterKey, StringComparer.Ordinal).ToImmutableArray());

    public Task SetServiceVersion(string serviceKey, long version) =>
        GrainFactory.GetGrain<IServiceIndexGrain>(ServiceKeys.IndexShard(serviceKey)).Set(serviceKey, version);

    public async Task<ImmutableDictionary<string, long>> GetServices()
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, IServiceIndexGrain.Shards).Select(i => GrainFactory.GetGrain<IServiceIndexGrain>(i).GetAll()));
        var all = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            all.AddRange(shard);
        }

        return all.ToImmutable();
    }

    // A failed write (the store restarting) leaves the changes unwritten: the next call or tick tries again.
    private Task WriteAsync(CancellationToken cancellationToken)
    {
        _state.State = new ClusterDirectoryState
        {
            Clusters = new(_clusters, StringComparer.Ordinal),
        };
        return _state.WriteOverStaleAsync(cancellationToken);
    }
}
