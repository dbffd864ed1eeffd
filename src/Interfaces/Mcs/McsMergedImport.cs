using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The MCS ServiceImport every member should hold, merged by the KEP-1645 rules from every valid export: the
/// clusterset-wide properties (from the oldest export), the union of ports (each with the clusters exposing it), the
/// intersection of ip families, the exporting clusters' ids oldest first and, per source cluster, its EndpointSlices
/// with their ports filtered to the import ports it exposes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsMergedImport(
    string Namespace,
    string Name,
    long Version,
    string Type,
    ImmutableArray<McsImportPort> Ports,
    string SessionAffinity,
    int? ClientIpTimeoutSeconds,
    string? InternalTrafficPolicy,
    string? TrafficDistribution,
    ImmutableArray<string> IpFamilies,
    McsMap Labels,
    McsMap Annotations,
    ImmutableArray<string> Clusters,
    ImmutableArray<McsSourceSlices> Sources)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsMergedImport? other) => ReferenceEquals(this, other) || (other is not null
        && Namespace == other.Namespace && Name == other.Name && Version == other.Version && Type == other.Type && SessionAffinity == other.SessionAffinity && ClientIpTimeoutSeconds == other.ClientIpTimeoutSeconds && InternalTrafficPolicy == other.InternalTrafficPolicy && TrafficDistribution == other.TrafficDistribution && Labels == other.Labels && Annotations == other.Annotations
        && Sequence.Equal(Ports, other.Ports) && Sequence.Equal(IpFamilies, other.IpFamilies) && Sequence.Equal(Clusters, other.Clusters) && Sequence.Equal(Sources, other.Sources));

    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(Namespace, Name, Version, Type, SessionAffinity, ClientIpTimeoutSeconds, InternalTrafficPolicy, TrafficDistribution),
        Labels, Annotations, Sequence.Hash(Ports), Sequence.Hash(IpFamilies), Sequence.Hash(Clusters), Sequence.Hash(Sources));
}

/// <summary>A port of the import and the ids of the clusters whose Service has it (same port and protocol), oldest first.</summary>
[GenerateSerializer, Immutable]
public sealed record McsImportPort(string Name, string Protocol, int Port, string? AppProtocol, ImmutableArray<string> ExposedBy)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsImportPort? other) => ReferenceEquals(this, other) || (other is not null
        && Name == other.Name && Protocol == other.Protocol && Port == other.Port && AppProtocol == other.AppProtocol && Sequence.Equal(ExposedBy, other.ExposedBy));

    public override int GetHashCode() => HashCode.Combine(Name, Protocol, Port, AppProtocol, Sequence.Hash(ExposedBy));
}

/// <summary>
/// One source cluster's EndpointSlices of the service, ports filtered to (and named as) the import ports it exposes.
/// <see cref="ClusterKey"/> is the member it is, so a writer can apply that member's health to its endpoints.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsSourceSlices(string ClusterId, string ClusterKey, ImmutableArray<McsEndpointSlice> Slices, GatewayAddress? Gateway = null)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsSourceSlices? other) => ReferenceEquals(this, other) || (other is not null
        && ClusterId == other.ClusterId && ClusterKey == other.ClusterKey && Gateway == other.Gateway && Sequence.Equal(Slices, other.Slices));

    public override int GetHashCode() => HashCode.Combine(ClusterId, ClusterKey, Gateway, Sequence.Hash(Slices));
}
