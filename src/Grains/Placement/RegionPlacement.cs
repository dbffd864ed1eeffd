using ErieCanal.Orleans.Interfaces;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace ErieCanal.Orleans.Grains.Placement;

/// <summary>Places a grain keyed by clusterKey on a silo in that member's region, when one exists.</summary>
public sealed class RegionPlacementStrategy : PlacementStrategy
{
    public const string MetadataKey = "region";

    public static readonly RegionPlacementStrategy Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RegionPlacementAttribute() : PlacementAttribute(RegionPlacementStrategy.Instance);

/// <summary>
/// Prefers silos whose <c>region</c> metadata matches the first part of the grain's clusterKey, so the grains that
/// talk to a member run near it; falls back to any silo, so a region without silos still works.
/// </summary>
public sealed class RegionPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var region = ClusterKeys.IsValid(key) ? ClusterKeys.Region(key) : null;
        var local = region is null
            ? []
            : silos.Where(s => metadata.GetSiloMetadata(s).Metadata.TryGetValue(RegionPlacementStrategy.MetadataKey, out var r) && r == region).ToArray();
        var candidates = local.Length > 0 ? local : silos;
        return Task.FromResult(candidates[Random.Shared.Next(candidates.Length)]);
    }
}
