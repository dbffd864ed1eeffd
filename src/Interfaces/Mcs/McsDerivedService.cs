using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// The derived Service of a ClusterSetIP import (plan §4.2): <see cref="Name"/> is <see cref="McsNames.DerivedName"/>;
/// type ClusterIP, no selector, the import's ports (targetPort = port), session affinity and traffic distribution, not
/// its internalTrafficPolicy; owned by the ServiceImport <see cref="ImportName"/> (the engine sets the ownerReference
/// with the import's uid and the member's ip families, and never adopts a Service that is not ours).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsDerivedService(
    string Namespace,
    string Name,
    string ImportName,
    ImmutableArray<McsPort> Ports,
    string SessionAffinity,
    int? ClientIpTimeoutSeconds,
    string? TrafficDistribution,
    McsMap Labels)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsDerivedService? other) => ReferenceEquals(this, other) || (other is not null
        && Namespace == other.Namespace && Name == other.Name && ImportName == other.ImportName && SessionAffinity == other.SessionAffinity && ClientIpTimeoutSeconds == other.ClientIpTimeoutSeconds && TrafficDistribution == other.TrafficDistribution && Labels == other.Labels && Sequence.Equal(Ports, other.Ports));

    public override int GetHashCode() => HashCode.Combine(Namespace, Name, ImportName, SessionAffinity, ClientIpTimeoutSeconds, TrafficDistribution, Labels, Sequence.Hash(Ports));
}
