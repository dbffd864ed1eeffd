using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>
/// What of an exported Service the KEP merges. <see cref="Headless"/> is <c>spec.clusterIP == "None"</c>;
/// <see cref="InternalTrafficPolicy"/> and <see cref="TrafficDistribution"/> are kept as the Service has them
/// (null: unset); <see cref="ClientIpTimeoutSeconds"/> is <c>sessionAffinityConfig.clientIP.timeoutSeconds</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record McsServiceSnapshot(
    string Type,
    bool Headless,
    string SessionAffinity,
    int? ClientIpTimeoutSeconds,
    string? InternalTrafficPolicy,
    string? TrafficDistribution,
    ImmutableArray<string> IpFamilies,
    ImmutableArray<McsPort> Ports)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(McsServiceSnapshot? other) => ReferenceEquals(this, other) || (other is not null
        && Type == other.Type && Headless == other.Headless && SessionAffinity == other.SessionAffinity && ClientIpTimeoutSeconds == other.ClientIpTimeoutSeconds && InternalTrafficPolicy == other.InternalTrafficPolicy && TrafficDistribution == other.TrafficDistribution && Sequence.Equal(IpFamilies, other.IpFamilies) && Sequence.Equal(Ports, other.Ports));

    public override int GetHashCode() => HashCode.Combine(Type, Headless, SessionAffinity, ClientIpTimeoutSeconds, InternalTrafficPolicy, TrafficDistribution, Sequence.Hash(IpFamilies), Sequence.Hash(Ports));
}
