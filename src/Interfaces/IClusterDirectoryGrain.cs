using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// The members and the services known to the system (key: <see cref="Key"/>). Small and hot: cached by readers,
/// refreshed by the ClusterGrains' periodic registration, so it rebuilds itself after a silo loss.
/// </summary>
[Alias("ErieCanal.IClusterDirectoryGrain")]
public interface IClusterDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "directory";

    [Alias("Register")]
    Task Register(ClusterInfo cluster);

    [Alias("Unregister")]
    Task Unregister(string clusterKey);

    [Alias("GetClusters")]
    Task<ImmutableArray<ClusterInfo>> GetClusters();

    /// <summary>
    /// Records a service's current version (0: no contribution any more), so writers can find every service and
    /// fetch only what changed on repair: forwarded to the service's <see cref="IServiceIndexGrain"/> shard, and
    /// returns once that has persisted it. The services' own grains call the shard directly.
    /// </summary>
    [Alias("SetServiceVersion")]
    Task SetServiceVersion(string serviceKey, long version);

    /// <summary>The whole service index, gathered from its shards.</summary>
    [Alias("GetServices")]
    Task<ImmutableDictionary<string, long>> GetServices();
}
