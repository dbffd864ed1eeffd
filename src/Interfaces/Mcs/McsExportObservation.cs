using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// Everything a member's watchers know about one MCS ServiceExport, sent whole every time (level-triggered): the
/// export (null once deleted), its Service (null when missing), the Service's EndpointSlices, the member's cluster id
/// (KEP-2149; null while it has no usable one) and, when the Service is a derived Service written for an import (our
/// <see cref="McsNames.DerivedForLabel"/> or an ownerReference to a multicluster.x-k8s.io ServiceImport), that
/// import's name: such a Service is never exported.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsExportObservation(
    McsExportSpec? Export,
    McsServiceSnapshot? Service,
    ImmutableArray<McsEndpointSlice> Slices,
    string? ClusterId,
    string? DerivedFor = null,
    GatewayAddress? Gateway = null)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsExportObservation? other) => ReferenceEquals(this, other) || (other is not null
        && Export == other.Export && Service == other.Service && ClusterId == other.ClusterId && DerivedFor == other.DerivedFor && Gateway == other.Gateway && Sequence.Equal(Slices, other.Slices));

    public override int GetHashCode() => HashCode.Combine(Export, Service, ClusterId, DerivedFor, Gateway, Sequence.Hash(Slices));
}
