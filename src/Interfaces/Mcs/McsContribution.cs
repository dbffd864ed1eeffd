using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// What one valid MCS ServiceExport adds to its service's import: the member (<see cref="ClusterKey"/>) and its
/// cluster id, the export's creation time (conflict precedence), the Service, the exported labels and annotations,
/// and the Service's EndpointSlices.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsContribution(
    string ClusterKey,
    string ClusterId,
    DateTimeOffset CreatedAt,
    McsServiceSnapshot Service,
    McsMap Labels,
    McsMap Annotations,
    ImmutableArray<McsEndpointSlice> Slices,
    GatewayAddress? Gateway = null)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsContribution? other) => ReferenceEquals(this, other) || (other is not null
        && ClusterKey == other.ClusterKey && ClusterId == other.ClusterId && CreatedAt == other.CreatedAt && Service == other.Service && Labels == other.Labels && Annotations == other.Annotations && Gateway == other.Gateway && Sequence.Equal(Slices, other.Slices));

    public override int GetHashCode() => HashCode.Combine(ClusterKey, ClusterId, CreatedAt, Service, Labels, Annotations, Gateway, Sequence.Hash(Slices));
}
