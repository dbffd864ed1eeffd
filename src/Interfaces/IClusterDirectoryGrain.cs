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

    /// <summary>Records whether a service has any contribution, so writers can find every service on repair.</summary>
    [Alias("SetServiceActive")]
    Task SetServiceActive(string serviceKey, bool active);

    [Alias("GetServices")]
    Task<ImmutableArray<string>> GetServices();
}
