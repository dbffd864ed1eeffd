using ErieCanal.Orleans.Interfaces;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace ErieCanal.Orleans.Grains.Placement;

/// <summary>
/// Tells a region-placed grain that it runs outside its member's region although a silo there is now active (it
/// was placed before that silo joined, or that silo came back), so it can migrate home.
/// </summary>
public sealed class RegionAffinity(ILocalSiloDetails local, ISiloMetadataCache metadata, IClusterMembershipService membership)
{
    public bool ShouldMoveHome(string clusterKey)
    {
        if (!ClusterKeys.IsValid(clusterKey))
        {
            return false;
        }

        var home = ClusterKeys.Region(clusterKey);
        if (RegionOf(local.SiloAddress) == home)
        {
            return false;
        }

        return membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && RegionOf(m.SiloAddress) == home);
    }

    private string? RegionOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(RegionPlacementStrategy.MetadataKey, out var region) ? region : null;
}
