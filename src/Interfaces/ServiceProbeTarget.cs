using System.Collections.Immutable;

namespace ErieCanal.Orleans.Interfaces;

/// <summary>An exported service of a member with paths on the member's gateway (its Ingress), for the silos to probe.</summary>
[GenerateSerializer, Immutable]
public sealed record ServiceProbeTarget(string ServiceKey, ImmutableArray<string> Paths)
{
    /// <summary>By value, sequences element by element (<see cref="Sequence"/>).</summary>
    public bool Equals(ServiceProbeTarget? other) => ReferenceEquals(this, other) || (other is not null
        && ServiceKey == other.ServiceKey && Sequence.Equal(Paths, other.Paths));

    public override int GetHashCode() => HashCode.Combine(ServiceKey, Sequence.Hash(Paths));
}
