using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>
/// One shard of the service index: the services with contributions and their current versions, which every writer's
/// repair goes by. The index is split over <see cref="Shards"/> grains (by <see cref="ServiceKeys.IndexShard"/>) so that a change
/// persists a shard's share of it, not all of it: one grain holding every service wrote the whole index once per
/// export. Read as a whole through <see cref="IClusterDirectoryGrain.GetServices"/>.
/// </summary>
[Alias("ErieCanal.IServiceIndexGrain")]
public interface IServiceIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Fixed: a shard's key is where its entries are stored, so changing it would orphan them.</summary>
    public const int Shards = 32;

    /// <summary>
    /// Records a service's current version (0: no contribution any more). Returns once the change is persisted: a
    /// one-way call lost with a killed silo would hide the service from every writer's repair while its grain believed
    /// it indexed. A repeat of what the shard holds costs no write.
    /// </summary>
    [Alias("Set")]
    Task Set(string serviceKey, long version);

    [Alias("GetAll")]
    Task<ImmutableDictionary<string, long>> GetAll();
}
