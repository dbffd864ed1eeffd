using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The multicluster.x-k8s.io ServiceImport a member must hold, as decided: labels and annotations (the oldest export's
/// exported ones plus <see cref="McsNames.DerivedServiceAnnotation"/> for a ClusterSetIP import), the spec without
/// <c>ips</c> (the engine reads them back from the derived Service, and narrows <see cref="IpFamilies"/> to the
/// member's families), and <c>status.clusters</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsServiceImportDocument(
    string Namespace,
    string Name,
    string Type,
    ImmutableArray<McsPort> Ports,
    string SessionAffinity,
    int? ClientIpTimeoutSeconds,
    string? InternalTrafficPolicy,
    string? TrafficDistribution,
    ImmutableArray<string> IpFamilies,
    McsMap Labels,
    McsMap Annotations,
    ImmutableArray<string> Clusters)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsServiceImportDocument? other) => ReferenceEquals(this, other) || (other is not null
        && Namespace == other.Namespace && Name == other.Name && Type == other.Type && SessionAffinity == other.SessionAffinity && ClientIpTimeoutSeconds == other.ClientIpTimeoutSeconds && InternalTrafficPolicy == other.InternalTrafficPolicy && TrafficDistribution == other.TrafficDistribution && Labels == other.Labels && Annotations == other.Annotations
        && Sequence.Equal(Ports, other.Ports) && Sequence.Equal(IpFamilies, other.IpFamilies) && Sequence.Equal(Clusters, other.Clusters));

    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(Namespace, Name, Type, SessionAffinity, ClientIpTimeoutSeconds, InternalTrafficPolicy, TrafficDistribution, Labels),
        Annotations, Sequence.Hash(Ports), Sequence.Hash(IpFamilies), Sequence.Hash(Clusters));
}
